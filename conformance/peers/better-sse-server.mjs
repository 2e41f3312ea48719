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
import { importPeer, peerVersion } from '../adapters/node/clients/peer.mjs';
import { announce, createPeerServer, parseServerArgs } from './peer-server.mjs';

const usage = `usage: node better-sse-server.mjs [--port N] [--host ADDR]

A better-sse ${peerVersion('better-sse')} server for sse-conformance (conformance/peers/README.md).
  GET  /events?topic=T   subscribe (topic defaults to "conformance")
  POST /publish          body (application/x-www-form-urlencoded) or query: data, type, topic
Prints "listening http://ADDR:PORT" when ready; SIGTERM or SIGINT stops it.`;

const { port, host } = parseServerArgs('better-sse-server', usage);

const betterSse = await importPeer('better-sse');
const { createSession, createChannel } = betterSse.createSession ? betterSse : betterSse.default;

const channels = new Map();
function channel(topic) {
  if (!channels.has(topic)) channels.set(topic, createChannel());
  return channels.get(topic);
}

const server = createPeerServer({
  describe: `better-sse ${peerVersion('better-sse')}: GET /events?topic=T, POST /publish`,
  async subscribe(req, res, topic) {
    const session = await createSession(req, res, { serializer: (data) => String(data) });
    channel(topic).register(session);
  },
  publish({ topic, type, data }) {
    channel(topic).broadcast(data, type || 'message');
  },
});

server.listen(port, host, () => announce(server));
