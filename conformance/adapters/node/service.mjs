#!/usr/bin/env node
// An SSE client test service (conformance/ADAPTERS.md): an HTTP+JSON server that opens streams
// with one client implementation when a harness asks it to, and POSTs what that client observes
// back to the harness. Compatible with the SSE contract-test service protocol, plus the
// documented extensions (open events, readyState, Last-Event-ID seen by the client).
//
//   node service.mjs --client chromium|ssekit|eventsource [--port N] [--host 127.0.0.1]
//
// Prints one line `listening http://HOST:PORT` on stdout once it accepts requests, so a parent
// process (sse-conformance --adapter) can start it on port 0 and read the address.
import http from 'node:http';
import process from 'node:process';

const usage = `usage: node service.mjs --client NAME [--port N] [--host ADDR] [--verbose] [--exit-with-stdin]

An SSE client test service for sse-conformance client mode (see conformance/ADAPTERS.md).

  --client NAME   the client implementation under test:
                    chromium     Chromium's native EventSource (headless /usr/bin/chromium via
                                 playwright-core; CHROMIUM_PATH overrides the binary)
                    ssekit       ssekit's EventSourceClient (wasm/index.js)
                    eventsource  the npm "eventsource" package (a reference implementation)
  --port N        TCP port to listen on (default 0: any free port)
  --host ADDR     address to bind (default 127.0.0.1)
  --verbose       log every request and callback to stderr
  --exit-with-stdin
                  stop when standard input closes (for a parent process that starts the service)

Prints "listening http://ADDR:PORT" on stdout when ready. DELETE / stops the service.
Dependencies come from conformance/peers (run "npm ci" there once).`;

function parseArgs(argv) {
  const opts = { client: null, port: 0, host: '127.0.0.1', verbose: false, exitWithStdin: false };
  for (let i = 0; i < argv.length; ++i) {
    const a = argv[i];
    const value = () => {
      if (i + 1 >= argv.length) fail(`${a} needs a value`);
      return argv[++i];
    };
    if (a === '--help' || a === '-h') { console.log(usage); process.exit(0); }
    else if (a === '--client') opts.client = value();
    else if (a === '--port') opts.port = Number(value());
    else if (a === '--host') opts.host = value();
    else if (a === '--verbose') opts.verbose = true;
    else if (a === '--exit-with-stdin') opts.exitWithStdin = true;
    else fail(`unknown argument "${a}"`);
  }
  if (!opts.client) fail('--client is required');
  if (!Number.isInteger(opts.port) || opts.port < 0 || opts.port > 65535) fail('--port must be 0-65535');
  return opts;
}

function fail(message) {
  console.error(`sse-client-service: ${message}\n\n${usage}`);
  process.exit(2);
}

const opts = parseArgs(process.argv.slice(2));
const log = opts.verbose ? (...a) => console.error('[service]', ...a) : () => {};

const backends = {
  chromium: () => import('./clients/chromium.mjs'),
  ssekit: () => import('./clients/ssekit.mjs'),
  eventsource: () => import('./clients/eventsource.mjs'),
};
if (!backends[opts.client]) fail(`unknown client "${opts.client}" (chromium, ssekit or eventsource)`);

let backend;
try {
  backend = await (await backends[opts.client]()).create({ log });
} catch (err) {
  console.error(`sse-client-service: cannot start the ${opts.client} client: ${err.message}`);
  process.exit(1);
}

/** One stream instance: the client, and the ordered callback channel to the harness. */
class Stream {
  constructor(id, params) {
    this.id = id;
    this.params = params;
    this.counter = 0;
    this.chain = Promise.resolve();
    this.closed = false;
    this.handle = null;
  }

  /** Queues one callback message; messages are POSTed one at a time, numbered from 1. */
  report(message) {
    if (this.closed) return;
    const n = ++this.counter;
    const url = `${this.params.callbackUrl.replace(/\/$/, '')}/${n}`;
    const body = JSON.stringify(message);
    log(`stream ${this.id} -> ${url} ${body}`);
    this.chain = this.chain.then(() => fetch(url, {
      method: 'POST', headers: { 'content-type': 'application/json' }, body,
    }).then((r) => r.arrayBuffer()).catch((err) => log(`callback ${url} failed: ${err.message}`)));
  }

  async close() {
    this.closed = true;
    if (this.handle) await this.handle.close();
  }
}

const streams = new Map();
let nextId = 1;

function readJson(req) {
  return new Promise((resolve, reject) => {
    const parts = [];
    req.on('data', (c) => parts.push(c));
    req.on('end', () => {
      const text = Buffer.concat(parts).toString('utf8');
      if (text.trim() === '') return resolve({});
      try { resolve(JSON.parse(text)); } catch (err) { reject(new Error(`invalid JSON body: ${err.message}`)); }
    });
    req.on('error', reject);
  });
}

function send(res, status, body, headers = {}) {
  const text = body === undefined ? '' : (typeof body === 'string' ? body : JSON.stringify(body));
  res.writeHead(status, { 'content-type': typeof body === 'string' ? 'text/plain' : 'application/json', ...headers });
  res.end(text);
}

/** Checks the create-stream parameters; returns an error string or null. */
function invalidParams(p) {
  if (typeof p.streamUrl !== 'string' || !/^https?:\/\//.test(p.streamUrl)) return 'streamUrl must be an http(s) URL';
  if (typeof p.callbackUrl !== 'string' || !/^https?:\/\//.test(p.callbackUrl)) return 'callbackUrl must be an http(s) URL';
  for (const k of ['initialDelayMs', 'readTimeoutMs']) {
    if (p[k] !== undefined && p[k] !== null && !(Number.isInteger(p[k]) && p[k] >= 0)) return `${k} must be a non-negative integer`;
  }
  if (p.headers !== undefined && (typeof p.headers !== 'object' || p.headers === null)) return 'headers must be an object';
  return null;
}

const server = http.createServer(async (req, res) => {
  try {
    const url = new URL(req.url, 'http://service');
    log(`${req.method} ${url.pathname}`);
    if (url.pathname === '/') {
      if (req.method === 'GET' || req.method === 'HEAD') {
        return send(res, 200, { capabilities: backend.capabilities, name: backend.name, version: backend.version });
      }
      if (req.method === 'DELETE') {
        send(res, 204);
        return shutdown(0);
      }
      if (req.method === 'POST') {
        const params = await readJson(req);
        const problem = invalidParams(params);
        if (problem) return send(res, 400, problem);
        const stream = new Stream(nextId++, params);
        streams.set(String(stream.id), stream);
        try {
          stream.handle = await backend.open(params, (m) => stream.report(m));
        } catch (err) {
          streams.delete(String(stream.id));
          return send(res, 500, `cannot open the stream: ${err.message}`);
        }
        return send(res, 201, { id: stream.id }, { location: `/streams/${stream.id}` });
      }
      return send(res, 405, 'GET, POST or DELETE');
    }
    const m = /^\/streams\/([0-9]+)$/.exec(url.pathname);
    if (!m) return send(res, 404, 'no such resource');
    const stream = streams.get(m[1]);
    if (!stream) return send(res, 404, 'no such stream');
    if (req.method === 'DELETE') {
      streams.delete(m[1]);
      await stream.close();
      return send(res, 204);
    }
    if (req.method === 'POST') {
      const cmd = await readJson(req);
      if (cmd.command === 'listen') {
        // The contract-test harness's Go encoder writes the parameter object as "Listen".
        const listen = cmd.listen ?? cmd.Listen;
        if (!listen || typeof listen.type !== 'string') return send(res, 400, 'listen needs {"listen":{"type":"..."}}');
        await stream.handle.listen(listen.type);
        return send(res, 204);
      }
      if (cmd.command === 'restart' && stream.handle.restart) {
        await stream.handle.restart();
        return send(res, 204);
      }
      return send(res, 400, `unsupported command "${cmd.command}"`);
    }
    return send(res, 405, 'POST or DELETE');
  } catch (err) {
    log(`error: ${err.stack}`);
    if (!res.headersSent) send(res, 400, err.message);
  }
});

let stopping = false;
async function shutdown(code) {
  if (stopping) return;
  stopping = true;
  for (const s of streams.values()) await s.close().catch(() => {});
  streams.clear();
  await backend.shutdown().catch(() => {});
  server.close();
  process.exit(code);
}
process.on('SIGTERM', () => shutdown(0));
process.on('SIGINT', () => shutdown(0));
// A parent that starts us with --exit-with-stdin and dies without DELETE / closes our stdin: stop
// then, never linger as an orphan holding a browser.
if (opts.exitWithStdin) {
  process.stdin.on('end', () => shutdown(0));
  process.stdin.on('error', () => shutdown(0));
  process.stdin.resume();
}

server.listen(opts.port, opts.host, () => {
  const { address, port } = server.address();
  process.stdout.write(`listening http://${address}:${port}\n`);
});
