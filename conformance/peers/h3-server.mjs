#!/usr/bin/env node
// A tiny SSE server on h3 v2 (npm h3) with its EventStream, served on Node through `toNodeHandler`
// from h3/node, the way h3's docs show, as a third-party peer for `sse-conformance server`. A
// subscriber is `new EventStream(event)` (h3 v1's `createEventStream(event)`, kept in v2 as a
// deprecated alias of it), fed with `stream.push({ id, event, data })` and unsubscribed in
// `stream.onClosed`. h3 keeps no history and ignores Last-Event-ID, so messages carry the topic's
// ids ("1", "2", ...) and nothing is replayed.
//
//   node h3-server.mjs [--port N] [--host 127.0.0.1] [--no-greeting]
//
//   GET  /events?topic=T   subscribe (text/event-stream); topic defaults to "conformance"
//   POST /publish          publish: form fields (or query) data, type, topic; answers 204
//   GET  /                 a one-line description
//
// Prints "listening http://HOST:PORT" when ready.
import http from 'node:http';
import { importPeer, peerVersion } from '../adapters/node/clients/peer.mjs';
import { announce, parseServerArgs, publishFields, Topics } from './peer-server.mjs';

const usage = `usage: node h3-server.mjs [--port N] [--host ADDR] [--no-greeting]

An h3 ${peerVersion('h3')} (EventStream) server for sse-conformance (conformance/peers/README.md).
  GET  /events?topic=T   subscribe (topic defaults to "conformance"); a comment ": connected"
                         comes first, unless --no-greeting
  POST /publish          body (application/x-www-form-urlencoded) or query: data, type, topic
Prints "listening http://ADDR:PORT" when ready; SIGTERM or SIGINT stops it.`;

const { port, host, 'no-greeting': noGreeting } = parseServerArgs('h3-server', usage, { 'no-greeting': false });
const { H3, EventStream, HTTPError, getQuery, noContent, readBody } = await importPeer('h3');
const { toNodeHandler } = await importPeer('h3/node');

const topics = new Topics();
const app = new H3();

app.get('/events', (event) => {
  const topic = getQuery(event).topic || 'conformance';
  const stream = new EventStream(event);
  // The response head goes out with the first bytes of the body (srvx calls Node's writeHead, which
  // only queues it), so a quiet topic would leave the client without a head until the first
  // message: one comment sends it at once. --no-greeting leaves it out.
  if (!noGreeting) stream.pushComment('connected');
  const unsubscribe = topics.subscribe(topic, (m) => {
    stream.push({ id: m.id, event: m.type || undefined, data: m.data });
  });
  stream.onClosed(unsubscribe);
  return stream;
});

app.post('/publish', async (event) => {
  const { topic, type, data } = publishFields(await readBody(event), event.url);
  if (data === null) throw new HTTPError({ status: 400, message: 'give data' });
  topics.publish(topic, { type, data });
  return noContent();
});

app.get('/', () => `h3 ${peerVersion('h3')}: GET /events?topic=T, POST /publish\n`);

const server = http.createServer(toNodeHandler(app));
server.listen(port, host, () => announce(server));
