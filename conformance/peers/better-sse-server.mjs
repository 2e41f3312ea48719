#!/usr/bin/env node
// A tiny SSE server built on better-sse (npm), the way its README shows, as a third-party peer for
// `sse-conformance server`. Each topic is a better-sse Channel; publishing broadcasts to it.
//
//   node better-sse-server.mjs [--port N] [--host 127.0.0.1]
//
//   GET  /events?topic=T   subscribe (text/event-stream); topic defaults to "conformance"
//   POST /publish          publish: form fields (or query) data, type, topic; answers 204
//   GET  /                 a one-line description
//
// Prints "listening http://HOST:PORT" when ready. Data is published as given (better-sse's
// default serializer would JSON-encode it; the suite compares the bytes it published).
import http from 'node:http';
import process from 'node:process';
import { importPeer, peerVersion } from '../adapters/node/clients/peer.mjs';

const usage = `usage: node better-sse-server.mjs [--port N] [--host ADDR]

A better-sse ${peerVersion('better-sse')} server for sse-conformance (conformance/peers/README.md).
  GET  /events?topic=T   subscribe (topic defaults to "conformance")
  POST /publish          body (application/x-www-form-urlencoded) or query: data, type, topic
Prints "listening http://ADDR:PORT" when ready; SIGTERM or SIGINT stops it.`;

let port = 0;
let host = '127.0.0.1';
const argv = process.argv.slice(2);
for (let i = 0; i < argv.length; ++i) {
  if (argv[i] === '--help' || argv[i] === '-h') { console.log(usage); process.exit(0); }
  else if (argv[i] === '--port' && i + 1 < argv.length) port = Number(argv[++i]);
  else if (argv[i] === '--host' && i + 1 < argv.length) host = argv[++i];
  else { console.error(`better-sse-server: bad argument "${argv[i]}"\n\n${usage}`); process.exit(2); }
}
if (!Number.isInteger(port) || port < 0 || port > 65535) { console.error('better-sse-server: --port must be 0-65535'); process.exit(2); }

const betterSse = await importPeer('better-sse');
const { createSession, createChannel } = betterSse.createSession ? betterSse : betterSse.default;

const channels = new Map();
function channel(topic) {
  if (!channels.has(topic)) channels.set(topic, createChannel());
  return channels.get(topic);
}

function readBody(req, limit = 1 << 20) {
  return new Promise((resolve, reject) => {
    const parts = [];
    let size = 0;
    req.on('data', (c) => {
      size += c.length;
      if (size > limit) { reject(new Error('body too large')); req.destroy(); } else parts.push(c);
    });
    req.on('end', () => resolve(Buffer.concat(parts).toString('utf8')));
    req.on('error', reject);
  });
}

const server = http.createServer(async (req, res) => {
  try {
    const url = new URL(req.url, 'http://peer');
    if (req.method === 'GET' && url.pathname === '/events') {
      const session = await createSession(req, res, { serializer: (data) => String(data) });
      channel(url.searchParams.get('topic') || 'conformance').register(session);
      return;
    }
    if (req.method === 'POST' && url.pathname === '/publish') {
      const body = await readBody(req);
      const form = new URLSearchParams(body);
      const field = (k) => form.get(k) ?? url.searchParams.get(k);
      const data = field('data');
      if (data === null) { res.writeHead(400, { 'content-type': 'text/plain' }); res.end('give data\n'); return; }
      channel(field('topic') || 'conformance').broadcast(data, field('type') || 'message');
      res.writeHead(204);
      res.end();
      return;
    }
    if (req.method === 'GET' && url.pathname === '/') {
      res.writeHead(200, { 'content-type': 'text/plain' });
      res.end(`better-sse ${peerVersion('better-sse')}: GET /events?topic=T, POST /publish\n`);
      return;
    }
    res.writeHead(404, { 'content-type': 'text/plain' });
    res.end('not found\n');
  } catch (err) {
    if (!res.headersSent) { res.writeHead(500, { 'content-type': 'text/plain' }); res.end(`${err.message}\n`); }
  }
});

const stop = () => { server.close(); server.closeAllConnections?.(); process.exit(0); };
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
server.listen(port, host, () => {
  const a = server.address();
  process.stdout.write(`listening http://${a.address}:${a.port}\n`);
});
