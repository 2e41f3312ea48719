#!/usr/bin/env node
// A tiny SSE server on Hono with its `streamSSE` helper (npm hono), served on Node by
// @hono/node-server, the way their READMEs and Hono's streaming-helper docs show, as a third-party
// peer for `sse-conformance server`. A subscriber's `streamSSE` callback writes each published
// message with `stream.writeSSE({ id, event, data })` and stays open until `stream.onAbort`. Hono
// keeps no history and ignores Last-Event-ID, so messages carry the topic's ids ("1", "2", ...) and
// nothing is replayed.
//
//   node hono-server.mjs [--port N] [--host 127.0.0.1]
//
//   GET  /events?topic=T   subscribe (text/event-stream); topic defaults to "conformance"
//   POST /publish          publish: form fields (or query) data, type, topic; answers 204
//   GET  /                 a one-line description
//
// Prints "listening http://HOST:PORT" when ready.
import { importPeer, peerVersion } from '../adapters/node/clients/peer.mjs';
import { announce, parseServerArgs, publishFields, Topics } from './peer-server.mjs';

const usage = `usage: node hono-server.mjs [--port N] [--host ADDR]

A hono ${peerVersion('hono')} (streamSSE) + @hono/node-server ${peerVersion('@hono/node-server')} server for
sse-conformance (conformance/peers/README.md).
  GET  /events?topic=T   subscribe (topic defaults to "conformance")
  POST /publish          body (application/x-www-form-urlencoded) or query: data, type, topic
Prints "listening http://ADDR:PORT" when ready; SIGTERM or SIGINT stops it.`;

const { port, host } = parseServerArgs('hono-server', usage);
const { Hono } = await importPeer('hono');
const { streamSSE } = await importPeer('hono/streaming');
const { serve } = await importPeer('@hono/node-server');

const topics = new Topics();
const app = new Hono();

app.get('/events', (c) => {
  const topic = c.req.query('topic') || 'conformance';
  return streamSSE(c, async (stream) => {
    const unsubscribe = topics.subscribe(topic, (m) => {
      stream.writeSSE({ id: m.id, event: m.type || undefined, data: m.data });
    });
    await new Promise((resolve) => stream.onAbort(resolve));
    unsubscribe();
  });
});

app.post('/publish', async (c) => {
  const { topic, type, data } = publishFields(await c.req.parseBody(), new URL(c.req.url));
  if (data === null) return c.text('give data\n', 400);
  topics.publish(topic, { type, data });
  return c.body(null, 204);
});

app.get('/', (c) => c.text(`hono ${peerVersion('hono')}: GET /events?topic=T, POST /publish\n`));

const server = serve({ fetch: app.fetch, port, hostname: host }, () => announce(server));
