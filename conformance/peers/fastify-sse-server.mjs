#!/usr/bin/env node
// A tiny SSE server on Fastify with the @fastify/sse plugin (npm, the Fastify organisation's own),
// the way its README shows, as a third-party peer for `sse-conformance server`. The subscriber
// route is `{ sse: 'only' }`; it calls `reply.sse.keepAlive()`, sends `{ data: 'Connected' }` as
// the README's "Connection Management" example does, replays with
// `reply.sse.replay(lastEventId => ...)` from a message history kept the way the README's "Message
// Replay" example keeps it (every message after the one with that id; all of them when the id is
// not found), then sends each later message with `reply.sse.send`. The plugin leaves ids and the
// history to the application: messages carry the topic's ids ("1", "2", ...), and the history is
// capped at the last 100 per topic.
//
//   node fastify-sse-server.mjs [--port N] [--host 127.0.0.1] [--no-greeting]
//
//   GET  /events?topic=T   subscribe (text/event-stream); topic defaults to "conformance"
//   POST /publish          publish: form fields (or query) data, type, topic; answers 204
//   GET  /                 a one-line description
//
// Prints "listening http://HOST:PORT" when ready. Data is sent as given: the plugin's default
// serializer is JSON.stringify, replaced (plugin option `serializer`, as the README shows) by
// String so the suite sees the bytes it published.
import { importPeer, peerVersion } from '../adapters/node/clients/peer.mjs';
import { announce, parseServerArgs, publishFields, Topics } from './peer-server.mjs';

const usage = `usage: node fastify-sse-server.mjs [--port N] [--host ADDR] [--no-greeting]

A fastify ${peerVersion('fastify')} + @fastify/sse ${peerVersion('@fastify/sse')} server for sse-conformance
(conformance/peers/README.md).
  GET  /events?topic=T   subscribe (topic defaults to "conformance"); Last-Event-ID replays
                         (first a message "Connected"; --no-greeting: reply.sse.sendHeaders() instead)
  POST /publish          body (application/x-www-form-urlencoded) or query: data, type, topic
Prints "listening http://ADDR:PORT" when ready; SIGTERM or SIGINT stops it.`;

const { port, host, 'no-greeting': noGreeting } = parseServerArgs('fastify-sse-server', usage, { 'no-greeting': false });
const { default: Fastify } = await importPeer('fastify');
const { default: fastifySSE } = await importPeer('@fastify/sse');

const historyLimit = 100;
const topics = new Topics();
const history = new Map();  // topic -> the last historyLimit messages, oldest first
const toMessage = (m) => ({ id: m.id, event: m.type || undefined, data: m.data });

const app = Fastify();
await app.register(fastifySSE, { serializer: String });
// Fastify parses JSON and text by itself; an HTML form body needs a parser (Fastify's docs,
// "ContentTypeParser").
app.addContentTypeParser('application/x-www-form-urlencoded', { parseAs: 'string' },
  (_req, body, done) => done(null, new URLSearchParams(body)));

app.get('/events', { sse: 'only' }, async (request, reply) => {
  const topic = request.query.topic || 'conformance';
  reply.sse.keepAlive();
  // The README's "Connection Management" example starts with this message, and a quiet stream
  // needs it: the plugin writes the head with the first message, so without one the handler
  // returns first and Fastify answers `200` with `content-length: 0`. `reply.sse.sendHeaders()`
  // (--no-greeting) keeps the stream open but only queues the head (Node sends it with the first
  // body bytes): the client waits for the first published message, or the first heartbeat 30 s on.
  if (noGreeting) reply.sse.sendHeaders();
  else await reply.sse.send({ data: 'Connected' });
  await reply.sse.replay(async (lastEventId) => {
    const messages = history.get(topic) ?? [];
    const start = messages.findIndex((m) => m.id === lastEventId);
    for (const m of start !== -1 ? messages.slice(start + 1) : messages) await reply.sse.send(m);
  });
  const unsubscribe = topics.subscribe(topic, (m) => {
    if (reply.sse.isConnected) reply.sse.send(toMessage(m)).catch(() => {});
  });
  reply.sse.onClose(unsubscribe);
});

app.post('/publish', (request, reply) => {
  const { topic, type, data } = publishFields(request.body, new URL(request.url, 'http://peer'));
  if (data === null) return reply.code(400).type('text/plain').send('give data\n');
  const message = toMessage(topics.publish(topic, { type, data }));
  if (!history.has(topic)) history.set(topic, []);
  const messages = history.get(topic);
  messages.push(message);
  if (messages.length > historyLimit) messages.shift();
  return reply.code(204).send();
});

app.get('/', () => `@fastify/sse ${peerVersion('@fastify/sse')}: GET /events?topic=T, POST /publish\n`);

await app.listen({ port, host });
announce(app.server);
