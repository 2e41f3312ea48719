#!/usr/bin/env node
// A tiny SSE server on Fastify with the fastify-sse-v2 plugin (npm), the way its README shows, as a
// third-party peer for `sse-conformance server`. A subscriber gets `reply.sse(asyncIterable)` fed
// from an EventEmitter with `events.on` (the README's "Sending events from EventEmmiters"), ended
// through an AbortController when the socket closes. The plugin keeps no history and has no
// Last-Event-ID support, so messages carry the topic's ids ("1", "2", ...) and nothing is replayed.
//
//   node fastify-sse-v2-server.mjs [--port N] [--host 127.0.0.1]
//
//   GET  /events?topic=T   subscribe (text/event-stream); topic defaults to "conformance"
//   POST /publish          publish: form fields (or query) data, type, topic; answers 204
//   GET  /                 a one-line description
//
// Prints "listening http://HOST:PORT" when ready; the plugin's defaults are kept (retry: 3000).
import { on } from 'node:events';
import { importPeer, peerVersion } from '../adapters/node/clients/peer.mjs';
import { announce, parseServerArgs, publishFields, Topics } from './peer-server.mjs';

const usage = `usage: node fastify-sse-v2-server.mjs [--port N] [--host ADDR]

A fastify ${peerVersion('fastify')} + fastify-sse-v2 ${peerVersion('fastify-sse-v2')} server for sse-conformance
(conformance/peers/README.md).
  GET  /events?topic=T   subscribe (topic defaults to "conformance")
  POST /publish          body (application/x-www-form-urlencoded) or query: data, type, topic
Prints "listening http://ADDR:PORT" when ready; SIGTERM or SIGINT stops it.`;

const { port, host } = parseServerArgs('fastify-sse-v2-server', usage);
const { default: Fastify } = await importPeer('fastify');
const { FastifySSEPlugin } = await importPeer('fastify-sse-v2');

const topics = new Topics();
const app = Fastify();
app.register(FastifySSEPlugin);
// Fastify parses JSON and text by itself; an HTML form body needs a parser (Fastify's docs,
// "ContentTypeParser").
app.addContentTypeParser('application/x-www-form-urlencoded', { parseAs: 'string' },
  (_req, body, done) => done(null, new URLSearchParams(body)));

app.get('/events', (request, reply) => {
  const topic = request.query.topic || 'conformance';
  const abort = new AbortController();
  request.socket.on('close', () => abort.abort());
  reply.sse((async function* source() {
    try {
      for await (const [m] of on(topics, Topics.event(topic), { signal: abort.signal })) {
        yield { id: m.id, event: m.type || undefined, data: m.data };
      }
    } catch (err) {
      if (err.name !== 'AbortError') throw err;
    }
  })());
});

app.post('/publish', (request, reply) => {
  const { topic, type, data } = publishFields(request.body, new URL(request.url, 'http://peer'));
  if (data === null) return reply.code(400).type('text/plain').send('give data\n');
  topics.publish(topic, { type, data });
  return reply.code(204).send();
});

app.get('/', () => `fastify-sse-v2 ${peerVersion('fastify-sse-v2')}: GET /events?topic=T, POST /publish\n`);

await app.listen({ port, host });
announce(app.server);
