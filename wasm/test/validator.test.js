// SseValidator and isEventStream: proto's validator (its own module, loaded on first use) and the
// MIME check (in the core module) through the C ABI.
import { test } from 'node:test';
import assert from 'node:assert/strict';

import { SseValidator, isEventStream } from '@ssekit/wasm';

const STREAM = '\uFEFFData: x\r\ndata:y\nretry: soon\n\u00e9vent: a\n\nid: 1\ndata: cut';

test('the validator module loads on first use; new SseValidator() before that says what to do', async () => {
  assert.throws(() => new SseValidator(), { name: 'TypeError', message: /await SseValidator\.create/ });
  const first = SseValidator.load();
  assert.equal(SseValidator.load(), first, 'one load, shared');
  await first;
  const v = await SseValidator.create({ maxLineLength: 8 });
  assert.deepEqual(v.feed('data: x\n\n'), []);
  v.free();
  new SseValidator().free();  // loaded: the constructor works
});

function validate(bytes, split) {
  const v = new SseValidator();
  const out = [];
  for (let i = 0; i < bytes.length; i += split) out.push(...v.feed(bytes.subarray(i, i + split)));
  out.push(...v.end());
  v.free();
  return out;
}

test('observations: codes, severities, offsets, lines, messages', () => {
  const got = validate(new TextEncoder().encode(STREAM), Infinity);
  const codes = got.map((o) => `${o.severity}:${o.code}@${o.line}:${o.offset}`);
  assert.deepEqual(codes, [
    'info:bom-at-start@1:0',
    'warning:field-name-near-miss@1:3',
    'info:no-space-after-colon@2:17',  // the value, after BOM 3 + "Data: x" 7 + CRLF 2 + "data:" 5
    'warning:mixed-line-ends@2:18',      // the LF after a first line ending in CRLF
    'warning:retry-not-digits@3:26',
    'info:unknown-field@4:31',           // "\u00e9vent" is two bytes longer than it looks
    'warning:unterminated-line@7:48',
    'warning:unterminated-event@6:42',   // the event starts at its id line
  ]);
  for (const o of got) assert.ok(o.message.length > 20, `${o.code} has a message`);
});

test('observations do not depend on chunking', () => {
  const bytes = new TextEncoder().encode(STREAM);
  const whole = validate(bytes, Infinity);
  for (const split of [1, 2, 3, 7]) assert.deepEqual(validate(bytes, split), whole, `split ${split}`);
});

test('limits, reset, free', () => {
  const v = new SseValidator({ maxLineLength: 4 });
  assert.deepEqual(v.feed('data: too long\n').map((o) => o.code), ['line-too-long']);
  v.reset();
  assert.deepEqual(v.feed('id\n\n').map((o) => o.code), ['no-colon', 'id-only-block']);
  v.free();
  assert.equal(v.freed, true);
  assert.throws(() => v.feed('x'), TypeError);
});

test('isEventStream decides as browsers do (MIME essence)', () => {
  for (const yes of ['text/event-stream', 'Text/Event-Stream', 'text/event-stream; charset=utf-8', ' text/event-stream ', 'text/plain, text/event-stream']) {
    assert.equal(isEventStream(yes), true, yes);
  }
  for (const no of ['', null, undefined, 'text/plain', 'text/event-stream-x', 'text /event-stream', 'text/event-stream, text/plain']) {
    assert.equal(isEventStream(no), false, String(no));
  }
});
