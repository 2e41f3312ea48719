#!/usr/bin/env node
// A small backend for Pushpin (a GRIP proxy), the way Pushpin's docs show, so that
// `sse-conformance server` can be pointed at Pushpin (scripts/peers/pushpin runs it; run-peer
// starts both). Pushpin holds the streams and fans out; this backend only tells it what to do:
//
//   GET  /events?topic=T   answers with GRIP instructions: Grip-Hold: stream, Grip-Channel: T, and
//                          a keep-alive comment every 20 s (Grip-Keep-Alive); Pushpin keeps the
//                          client's stream open and subscribes it to channel T
//   POST /publish          form fields (or query) data, type, topic: encodes one SSE event (data
//                          split on CRLF, CR and LF into data lines, the topic's next id "1", "2",
//                          ...) and POSTs it as an `http-stream` item to Pushpin's publish API
//                          (--control URL, POST /publish/); answers 204 once Pushpin accepted it
//   GET  /                 a one-line description
//
// Pushpin keeps no history: a Last-Event-ID reaches this backend with the new request, and replay
// would be the backend's job (GRIP allows a hold response with a body); like the other peers, this
// one adds no resume logic the product lacks.
import { announce, createPeerServer, parseServerArgs } from './peer-server.mjs';

const usage = `usage: node pushpin-backend.mjs --control URL [--port N] [--host ADDR]

A GRIP backend for Pushpin, for sse-conformance (conformance/peers/README.md).
  GET  /events?topic=T   Grip-Hold: stream on channel T (topic defaults to "conformance")
  POST /publish          body (application/x-www-form-urlencoded) or query: data, type, topic;
                         published through Pushpin's API at --control (e.g. http://127.0.0.1:5561)
Prints "listening http://ADDR:PORT" when ready; SIGTERM or SIGINT stops it.`;

const { port, host, control } = parseServerArgs('pushpin-backend', usage, { control: '' });
if (!/^http:\/\/[^/]+\/?$/.test(control)) {
  console.error(`pushpin-backend: --control must be Pushpin's publish API base, http://HOST:PORT\n\n${usage}`);
  process.exit(2);
}
const publishUrl = new URL('/publish/', control);

// Channel names go into a header: keep them to characters that need no quoting there.
const channelName = /^[A-Za-z0-9_.-]{1,200}$/;
const nextId = new Map();

// One SSE event, as the spec's authoring rules have it: every line break in the data (CRLF, CR or
// LF) starts a new `data:` line, so a client joins them back with LF.
function encodeEvent({ id, type, data }) {
  let s = type ? `event: ${type}\n` : '';
  s += `id: ${id}\n`;
  for (const line of data.split(/\r\n|\r|\n/)) s += `data: ${line}\n`;
  return `${s}\n`;
}

const badRequest = (message) => Object.assign(new Error(message), { status: 400 });

const server = createPeerServer({
  describe: 'pushpin backend: GET /events?topic=T (GRIP hold), POST /publish',
  subscribe(_req, res, topic) {
    if (!channelName.test(topic)) { res.writeHead(400, { 'content-type': 'text/plain' }); res.end('bad topic\n'); return; }
    res.writeHead(200, {
      'Content-Type': 'text/event-stream',
      'Cache-Control': 'no-cache',
      'Grip-Hold': 'stream',
      'Grip-Channel': topic,
      'Grip-Keep-Alive': ':\\n\\n; format=cstring; timeout=20',
    });
    res.end();
  },
  async publish({ topic, type, data }) {
    if (!channelName.test(topic)) throw badRequest('bad topic');
    if (/[\r\n]/.test(type)) throw badRequest('the type must be one line');
    const id = nextId.get(topic) ?? 1;
    nextId.set(topic, id + 1);
    const item = { channel: topic, id: `${topic}-${id}`, formats: { 'http-stream': { content: encodeEvent({ id, type, data }) } } };
    const answer = await fetch(publishUrl, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ items: [item] }),
    });
    if (!answer.ok) throw new Error(`Pushpin answered ${answer.status}: ${(await answer.text()).trim()}`);
  },
});

server.listen(port, host, () => announce(server));
