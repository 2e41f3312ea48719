// EventSourceClient against the reference sse-server (its /conformance/ routes, /events and
// /publish) on 127.0.0.1: what EventSource does, and the extras. Skipped, saying why, when the
// sse-server binary is missing (see test/server.js).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';

import { EventSourceClient } from '@ssekit/wasm';
import { b64, serverSkip, startServer, until } from './server.js';

let server;
before(async () => {
  if (!serverSkip) server = await startServer(['--static-dir', '']);
});
after(async () => server?.stop());

/**
 * Opens a client and records what it fires as strings: "open", "error(readyState)",
 * "type|data|lastEventId" for messages of the listed types.
 */
function record(url, options = {}, types = ['message']) {
  const log = [];
  const client = new EventSourceClient(url, options);
  client.onopen = () => log.push('open');
  client.onerror = () => log.push(`error(${client.readyState})`);
  for (const type of types) client.addEventListener(type, (e) => log.push(`${e.type}|${e.data}|${e.lastEventId}`));
  return { client, log };
}

test('ids, event types and multi-line data arrive as MessageEvents', { skip: serverSkip }, async () => {
  const events = [
    { id: '1', data: 'one' },
    { event: 'update', data: 'line 1\nline 2' },
    { id: 'é', event: 'update', data: '' },
    { comment: ' a comment' },
    { data: 'last' },
  ];
  const url = server.url(`/conformance/echo?events=${b64(events)}&then=hold`);
  const { client, log } = record(url, {}, ['message', 'update']);
  let first;
  client.addEventListener('message', (e) => (first ??= e), { once: true });
  try {
    await until(() => log.length >= 5, 10000, 'five records');
    assert.deepEqual(log, ['open', 'message|one|1', 'update|line 1\nline 2|1', 'update||é', 'message|last|é']);
    assert.equal(client.readyState, EventSourceClient.OPEN);
    assert.equal(first.origin, server.origin);
    assert.ok(first instanceof MessageEvent);
    assert.equal(client.lastEventId, 'é');
  } finally {
    client.close();
  }
  assert.equal(client.readyState, EventSourceClient.CLOSED);
});

test('resumes with Last-Event-ID after a server-side close, honours retry, stops on 204', { skip: serverSkip }, async () => {
  const { client, log } = record(server.url('/conformance/count?n=5&close_after=2&retry=20'));
  try {
    await until(() => client.readyState === EventSourceClient.CLOSED, 10000, 'the 204 that stops it');
    assert.deepEqual(log, [
      'open', 'message|1|1', 'message|2|2', 'error(0)',
      'open', 'message|3|3', 'message|4|4', 'error(0)',
      'open', 'message|5|5', 'error(0)',
      'error(2)',  // the 204: fail the connection
    ]);
    assert.equal(client.failureReason, 'bad_status');
    assert.equal(client.lastEventId, '5');
  } finally {
    client.close();
  }
});

test('a wrong Content-Type fails the connection without reconnecting', { skip: serverSkip }, async () => {
  const { client, log } = record(server.url('/conformance/status?code=200&type=text/plain'));
  await until(() => client.readyState === EventSourceClient.CLOSED, 10000, 'the failure');
  await new Promise((r) => setTimeout(r, 100));  // room for a wrong reconnect to show
  assert.deepEqual(log, ['error(2)']);
  assert.equal(client.failureReason, 'not_event_stream');
});

test('method, body and a headers function called on each (re)connect', { skip: serverSkip }, async () => {
  let calls = 0;
  const requests = [];
  const client = new EventSourceClient(server.url('/conformance/request?retry=10'), {
    method: 'POST',
    body: '{"q":1}',
    headers: async () => ({ authorization: `Bearer token-${++calls}`, 'content-type': 'application/json' }),
  });
  client.addEventListener('request', (e) => requests.push(JSON.parse(e.data)));
  try {
    await until(() => requests.length >= 2, 10000, 'two requests');
  } finally {
    client.close();
  }
  assert.equal(requests[0].method, 'POST');
  assert.equal(requests[0].body, '{"q":1}');
  assert.equal(requests[0].headers.accept, 'text/event-stream');
  assert.equal(requests[0].headers.authorization, 'Bearer token-1');
  assert.equal(requests[1].headers.authorization, 'Bearer token-2');
  assert.equal(requests[0].headers['last-event-id'], undefined);
});

test('a saved lastEventId is sent on the first request', { skip: serverSkip }, async () => {
  const { client, log } = record(server.url('/conformance/count?n=3&retry=10'), { lastEventId: '1' });
  try {
    await until(() => client.readyState === EventSourceClient.CLOSED, 10000, 'the end');
  } finally {
    client.close();
  }
  assert.deepEqual(log.filter((l) => l.startsWith('message')), ['message|2|2', 'message|3|3']);
});

test('backoff policy and maxAttempts give up on an unreachable server', { skip: serverSkip }, async () => {
  // A port that was just free: connections are refused (network errors before open).
  const probe = await startServer(['--static-dir', '']);
  const dead = probe.url('/events');
  await probe.stop();
  const { client, log } = record(dead, { reconnect: { initialDelay: 5, backoffMultiplier: 2, jitter: 0.5, maxAttempts: 3 } });
  await until(() => client.readyState === EventSourceClient.CLOSED, 10000, 'giving up');
  assert.deepEqual(log, ['error(0)', 'error(0)', 'error(2)']);
  assert.equal(client.failureReason, 'attempts_exhausted');
});

test('an AbortSignal closes the client without an error event', { skip: serverSkip }, async () => {
  const controller = new AbortController();
  const { client, log } = record(server.url('/conformance/count?n=1000&interval_ms=5'), { signal: controller.signal });
  await until(() => log.length >= 3, 10000, 'some events');
  controller.abort();
  assert.equal(client.readyState, EventSourceClient.CLOSED);
  const seen = log.length;
  await new Promise((r) => setTimeout(r, 50));
  assert.equal(log.length, seen);
  assert.ok(!log.some((l) => l.startsWith('error')));
  const aborted = new EventSourceClient(server.url('/events'), { signal: AbortSignal.abort() });
  assert.equal(aborted.readyState, EventSourceClient.CLOSED);
});

test('withCredentials, url, constants and handler attributes', { skip: serverSkip }, () => {
  const client = new EventSourceClient(server.url('/conformance/no-content'), { withCredentials: true });
  try {
    assert.equal(client.withCredentials, true);
    assert.equal(client.url, server.url('/conformance/no-content'));
    assert.equal(client.readyState, client.CONNECTING);
    assert.deepEqual([EventSourceClient.CONNECTING, EventSourceClient.OPEN, EventSourceClient.CLOSED], [0, 1, 2]);
    const f = () => {};
    client.onmessage = f;
    assert.equal(client.onmessage, f);
    client.onmessage = null;
    assert.equal(client.onmessage, null);
  } finally {
    client.close();
  }
  assert.throws(() => new EventSourceClient('http://[bad'), SyntaxError);
  assert.throws(() => new EventSourceClient(server.url('/'), { reconnect: { maxAttempts: -1 } }), RangeError);
  assert.throws(() => new EventSourceClient(server.url('/'), { lastEventId: 'a\nb' }), TypeError);
});

test('subscribes to a topic on /events and receives what is published', { skip: serverSkip }, async () => {
  const { client, log } = record(server.url('/events?topic=news'));
  try {
    await until(() => log.includes('open'), 10000, 'open');
    const res = await fetch(server.url('/publish'), {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ topic: 'news', data: 'hello\nworld', type: 'headline' }),
    });
    assert.ok(res.ok, `publish answered ${res.status}`);
    const received = [];
    client.addEventListener('headline', (e) => received.push(e));
    await until(() => received.length === 1, 10000, 'the published event');
    assert.equal(received[0].data, 'hello\nworld');
    assert.match(received[0].lastEventId, /^\d+$/);
  } finally {
    client.close();
  }
});
