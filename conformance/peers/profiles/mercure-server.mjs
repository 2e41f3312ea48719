#!/usr/bin/env node
// A small Mercure hub (IETF draft-dunglas-mercure) on node:http, the example server of
// `sse-conformance server --profile mercure` (conformance/peers/run-profile). The npm registry
// has Mercure publishers and subscribers but no Mercure hub to build on, so the hub is written
// here, as small as the protocol allows:
//
//   GET  /.well-known/mercure?topic=T[&topic=U][&lastEventID=ID]   subscribe (`match=` too, as
//        draft-08 spells it; `*` matches every topic); Last-Event-ID (header first, then the
//        query parameter) replays the history after that update and is answered with a
//        Last-Event-ID response header (`earliest` when the id is unknown)
//   POST /.well-known/mercure   publish: form fields topic (exactly one), data, type, id, retry;
//        needs `Authorization: Bearer <token>` (a fixed test token, no JWT); answers 200 with
//        the update's id (urn:uuid:... unless the publisher gave one)
//
// Every update is kept (the last 10,000) for Last-Event-ID; an idle subscription gets a `:`
// comment every --heartbeat-ms (default 1000; Mercure.rocks sends one every 40 s).
// Prints `args [...]` (the suite's --publish template and --publish-header, and a short --soak
// for mercure/heartbeat/1) and then `listening URL` (the subscription URL, topic `conformance`).
// --broken VARIANT makes one documented mistake; --list-broken prints "VARIANT CASE_ID" lines.
import { randomUUID } from 'node:crypto';
import http from 'node:http';

const variants = {
  'no-id': ['mercure/id/1', 'updates go out without an id: field'],
  'ignores-last-event-id': ['mercure/last-event-id/1', 'the Last-Event-ID header is ignored (no replay)'],
  'no-last-event-id-header': ['mercure/last-event-id/2', 'no Last-Event-ID response header'],
  'ignores-last-event-id-query': ['mercure/last-event-id/3', 'the lastEventID query parameter is ignored'],
  'no-heartbeat': ['mercure/heartbeat/1', 'an idle subscription gets no heartbeat'],
};

const usage = `usage: node mercure-server.mjs [--port N] [--host ADDR] [--token T] [--heartbeat-ms N]
                              [--broken VARIANT] [--list-broken]

A small Mercure hub for sse-conformance --profile mercure (conformance/peers/README.md).
  GET  /.well-known/mercure?topic=T   subscribe (match=T too; Last-Event-ID or ?lastEventID= replays)
  POST /.well-known/mercure           publish (form: topic, data, type, id, retry), with
                                      Authorization: Bearer T (default token: conformance-publisher)
--broken VARIANT: ${Object.entries(variants).map(([v, [, what]]) => `${v} (${what})`).join('; ')}.`;

let port = 0, host = '127.0.0.1', token = 'conformance-publisher', heartbeatMs = 1000, broken = '';
const argv = process.argv.slice(2);
for (let i = 0; i < argv.length; i++) {
  const a = argv[i];
  const value = () => {
    if (i + 1 >= argv.length) { console.error(`mercure-server: ${a} needs a value\n${usage}`); process.exit(2); }
    return argv[++i];
  };
  if (a === '--port') port = Number(value());
  else if (a === '--host') host = value();
  else if (a === '--token') token = value();
  else if (a === '--heartbeat-ms') heartbeatMs = Number(value());
  else if (a === '--broken') broken = value();
  else if (a === '--list-broken') {
    for (const [v, [id]] of Object.entries(variants)) console.log(`${v} ${id}`);
    process.exit(0);
  } else if (a === '-h' || a === '--help') { console.log(usage); process.exit(0); }
  else { console.error(`mercure-server: unknown option ${a}\n${usage}`); process.exit(2); }
}
if (broken && !variants[broken]) { console.error(`mercure-server: unknown variant ${broken}\n${usage}`); process.exit(2); }

const hubPath = '/.well-known/mercure';
const history = [];  // {id, topic, type, data, retry}, oldest first
const maxHistory = 10000;
const subscribers = new Set();  // {topics: Set, res}

// The SSE frame of an update: data split at CR, LF and CRLF into data: lines.
function frame(u) {
  let out = broken === 'no-id' ? '' : `id: ${u.id}\n`;
  if (u.type) out += `event: ${u.type}\n`;
  if (u.retry) out += `retry: ${u.retry}\n`;
  for (const line of u.data.split(/\r\n|\r|\n/)) out += `data: ${line}\n`;
  return out + '\n';
}

const matches = (topics, topic) => topics.has('*') || topics.has(topic);

function reply(res, status, body, headers = {}) {
  res.writeHead(status, { 'Content-Type': 'text/plain', ...headers });
  res.end(body);
}

function subscribe(req, res, url) {
  const topics = new Set([...url.searchParams.getAll('topic'), ...url.searchParams.getAll('match')]);
  if (topics.size === 0) return reply(res, 400, 'Missing "topic" (or "match") parameter\n');
  let asked = broken === 'ignores-last-event-id' ? undefined : req.headers['last-event-id'];
  if (asked === undefined && broken !== 'ignores-last-event-id-query') asked = url.searchParams.get('lastEventID') ?? undefined;
  const headers = {
    'Content-Type': 'text/event-stream',
    'Cache-Control': 'private, no-cache, no-store, must-revalidate, max-age=0',
    'X-Accel-Buffering': 'no',
  };
  let replay = [];
  if (asked !== undefined) {
    const at = asked === 'earliest' ? -1 : history.findIndex((u) => u.id === asked);
    replay = asked === 'earliest' ? history.slice() : at >= 0 ? history.slice(at + 1) : [];
    replay = replay.filter((u) => matches(topics, u.topic));
    // The most recent update before the first one sent, else `earliest` (draft-08).
    const before = at >= 0 ? history.slice(0, at + 1).filter((u) => matches(topics, u.topic)).pop() : undefined;
    if (broken !== 'no-last-event-id-header') headers['Last-Event-ID'] = before ? before.id : 'earliest';
  }
  res.writeHead(200, headers);
  res.flushHeaders();
  for (const u of replay) res.write(frame(u));
  const sub = { topics, res };
  subscribers.add(sub);
  const beat = broken === 'no-heartbeat' ? null : setInterval(() => res.write(':\n'), heartbeatMs);
  const end = () => { subscribers.delete(sub); if (beat) clearInterval(beat); };
  req.on('close', end);
  res.on('error', end);
}

// application/x-www-form-urlencoded, keeping repeated fields.
function form(body) {
  const fields = new Map();
  for (const [k, v] of new URLSearchParams(body)) fields.set(k, [...(fields.get(k) ?? []), v]);
  return fields;
}

function publish(req, res) {
  if (req.headers.authorization !== `Bearer ${token}`)
    return reply(res, 401, 'missing or wrong bearer token\n', { 'WWW-Authenticate': 'Bearer' });
  let body = '';
  req.setEncoding('utf8');
  req.on('data', (c) => { body += c; });
  req.on('end', () => {
    const f = form(body);
    const one = (k) => (f.get(k) ?? [])[0];
    if ((f.get('topic') ?? []).length !== 1) return reply(res, 400, 'exactly one "topic" field is required\n');
    const id = one('id') ?? `urn:uuid:${randomUUID()}`;
    if (id.startsWith('#') || /[\r\n\0]/.test(id)) return reply(res, 400, 'invalid "id"\n');
    const type = one('type') ?? '';
    if (/[\r\n]/.test(type)) return reply(res, 400, 'invalid "type"\n');
    const retry = one('retry') ?? '';
    if (retry && !/^[0-9]+$/.test(retry)) return reply(res, 400, 'invalid "retry"\n');
    const u = { id, topic: one('topic'), type, data: one('data') ?? '', retry };
    history.push(u);
    if (history.length > maxHistory) history.shift();
    const bytes = frame(u);
    for (const s of subscribers) if (matches(s.topics, u.topic)) s.res.write(bytes);
    reply(res, 200, id);
  });
}

const server = http.createServer((req, res) => {
  const url = new URL(req.url, 'http://hub');
  if (url.pathname !== hubPath) return reply(res, 404, 'Not Found\n');
  if (req.method === 'GET') return subscribe(req, res, url);
  if (req.method === 'POST') return publish(req, res);
  reply(res, 405, 'Method Not Allowed\n', { Allow: 'GET, POST' });
});
server.keepAliveTimeout = 1000;

server.listen(port, host, () => {
  const origin = `http://${host}:${server.address().port}`;
  const soak = Math.max(3 * heartbeatMs, 2000);
  console.log('args ' + JSON.stringify([
    '--publish', `${origin}${hubPath}?topic={topic}&data={data}&type={type}`,
    '--publish-header', `Authorization: Bearer ${token}`,
    '--soak', `${soak}ms`, '--heartbeat-max', `${2 * heartbeatMs}ms`,
  ]));
  console.log(`listening ${origin}${hubPath}?topic=conformance`);
});
for (const sig of ['SIGTERM', 'SIGINT']) process.on(sig, () => process.exit(0));
