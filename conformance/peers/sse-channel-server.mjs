#!/usr/bin/env node
// A tiny SSE server built on sse-channel (npm), the way its README shows, as a third-party peer for
// `sse-conformance server`. Each topic is an SseChannel: `addClient(req, res)` subscribes, and
// `send({ id, event, data })` broadcasts. The README asks for an id on every message that should
// be replayed ("You are required to specify this if you want the message to be added to the
// channel history"), so each topic numbers its messages 1, 2, ...; sse-channel then keeps the last
// 500 (its default historySize) and answers a Last-Event-ID itself.
//
//   node sse-channel-server.mjs [--port N] [--host 127.0.0.1]
//
//   GET  /events?topic=T   subscribe (text/event-stream); topic defaults to "conformance"
//   POST /publish          publish: form fields (or query) data, type, topic; answers 204
//   GET  /                 a one-line description
//
// Prints "listening http://HOST:PORT" when ready. Data is sent as given (jsonEncode stays off, its
// default).
import { importPeer, peerVersion } from '../adapters/node/clients/peer.mjs';
import { announce, createPeerServer, parseServerArgs } from './peer-server.mjs';

const usage = `usage: node sse-channel-server.mjs [--port N] [--host ADDR]

An sse-channel ${peerVersion('sse-channel')} server for sse-conformance (conformance/peers/README.md).
  GET  /events?topic=T   subscribe (topic defaults to "conformance"); Last-Event-ID replays
  POST /publish          body (application/x-www-form-urlencoded) or query: data, type, topic
Prints "listening http://ADDR:PORT" when ready; SIGTERM or SIGINT stops it.`;

const { port, host } = parseServerArgs('sse-channel-server', usage);
const { default: SseChannel } = await importPeer('sse-channel');

const channels = new Map();
function channel(topic) {
  if (!channels.has(topic)) channels.set(topic, { sse: new SseChannel(), next: 1 });
  return channels.get(topic);
}

const server = createPeerServer({
  describe: `sse-channel ${peerVersion('sse-channel')}: GET /events?topic=T, POST /publish`,
  subscribe(req, res, topic) {
    channel(topic).sse.addClient(req, res);
  },
  publish({ topic, type, data }) {
    const c = channel(topic);
    c.sse.send({ id: c.next++, event: type || undefined, data });
  },
});

server.listen(port, host, () => announce(server, () => {
  for (const c of channels.values()) c.sse.close();  // stops each channel's ping timer
}));
