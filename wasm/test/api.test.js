// The JS surface: errors and their codes, stickiness and reset, free / dispose, input types,
// strings that need UTF-16 offsets, memory growth mid-feed, the stream adapter and encode().
import { test } from 'node:test';
import assert from 'node:assert/strict';

import { SseParser, SseParserStream, SseError, encode, wasmMemoryBytes } from '@ssekit/wasm';
import { prng, seed } from './support.js';

const bytes = (s) => new TextEncoder().encode(s);

test('a limit throws a typed, sticky error carrying the events before it', () => {
  const parser = new SseParser({ maxLineLength: 10 });
  let error;
  try {
    parser.feed('data: ok\n\ndata: far too long\n\n');
  } catch (e) {
    error = e;
  }
  assert.ok(error instanceof SseError && error instanceof Error);
  assert.equal(error.name, 'SseError');
  assert.equal(error.code, 'line_too_long');
  assert.equal(error.errno, 2);
  assert.match(error.message, /maxLineLength/);
  assert.deepEqual(error.events, [{ type: 'message', data: 'ok', lastEventId: '' }]);
  assert.equal(parser.error.code, 'line_too_long');
  // Sticky until reset(), whatever is fed.
  assert.throws(() => parser.feed('data: x\n\n'), { code: 'line_too_long' });
  assert.throws(() => parser.feed(''), { code: 'line_too_long' });
  parser.end();
  parser.reset();
  assert.equal(parser.error, null);
  assert.deepEqual(parser.feed('data: x\n\n'), [{ type: 'message', data: 'x', lastEventId: '' }]);
  parser.free();
});

test('event_too_large, and re-feeding after reset()', () => {
  const parser = new SseParser({ maxEventSize: 8 });
  assert.throws(() => parser.feed('data: 123456789\n\n'), { code: 'event_too_large', errno: 3 });
  parser.reset();
  assert.deepEqual(parser.feed('data: 1234567\n\n').map((e) => e.data), ['1234567']);
  parser.free();
});

test('feed after end() throws feed_after_finish until reset()', () => {
  const parser = new SseParser();
  parser.feed('id: 7\ndata: a\n\ndata: partial');
  parser.end();
  assert.throws(() => parser.feed('\n\n'), { name: 'SseError', code: 'feed_after_finish', errno: 4 });
  assert.equal(parser.lastEventId, '7');
  parser.reset();
  assert.equal(parser.lastEventId, '7', 'reset() keeps the last event id');
  assert.deepEqual(parser.feed('data: b\n\n'), [{ type: 'message', data: 'b', lastEventId: '7' }]);
  parser.free();
});

test('limit options are validated', () => {
  assert.throws(() => new SseParser({ maxLineLength: -1 }), RangeError);
  assert.throws(() => new SseParser({ maxEventSize: 1.5 }), RangeError);
  assert.throws(() => new SseParser({ maxEventSize: '10' }), RangeError);
  new SseParser({ maxLineLength: Infinity, maxEventSize: 2 ** 40 }).free();
});

test('free() is idempotent, dispose frees, and a freed parser throws', () => {
  const parser = new SseParser();
  assert.equal(parser.freed, false);
  parser.free();
  parser.free();
  assert.equal(parser.freed, true);
  for (const use of [() => parser.feed('x'), () => parser.end(), () => parser.reset(), () => parser.lastEventId]) {
    assert.throws(use, TypeError);
  }
  const other = new SseParser();
  other[Symbol.dispose]();
  assert.equal(other.freed, true);
});

test('parsers created and freed give their memory back; kept ones hold it', () => {
  const cycle = (keep) => {
    for (let i = 0; i < 20000; i++) {
      const p = new SseParser();
      p.feed(`event: e${i}\nid: ${i}\ndata: x\n\n`);
      if (keep) keep.push(p);
      else p.free();
    }
  };
  cycle(null);
  const before = wasmMemoryBytes();
  cycle(null);
  cycle(null);
  assert.equal(wasmMemoryBytes(), before, 'freeing every parser must not grow memory');
  // The control: the same loop without free() does grow it, so the check above can fail.
  const kept = [];
  cycle(kept);
  assert.ok(wasmMemoryBytes() > before, 'kept parsers should need more memory');
  for (const p of kept) p.free();
});

test('input may be a Uint8Array, a subarray, an ArrayBuffer, a DataView or a string', () => {
  const stream = 'event: t\ndata: d\n\n';
  const expect = [{ type: 't', data: 'd', lastEventId: '' }];
  const framed = bytes(`xx${stream}yy`);
  for (const input of [
    bytes(stream),
    framed.subarray(2, framed.length - 2),
    bytes(stream).buffer,
    new DataView(bytes(stream).buffer),
    stream,
  ]) {
    const parser = new SseParser();
    assert.deepEqual(parser.feed(input), expect);
    parser.free();
  }
  assert.throws(() => new SseParser().feed(42), TypeError);
});

test('non-ASCII fields are sliced at the right UTF-16 offsets, also mixed in one batch', () => {
  const parser = new SseParser();
  const events = parser.feed(
    'event: ü\ndata: 😀a\nid: é1\n\nevent: ascii\ndata: plain\n\ndata: \uFEFFbom kept\nid: 𝄞\n\n',
  );
  assert.deepEqual(events, [
    { type: 'ü', data: '😀a', lastEventId: 'é1' },
    { type: 'ascii', data: 'plain', lastEventId: 'é1' },
    { type: 'message', data: '\uFEFFbom kept', lastEventId: '𝄞' },
  ]);
  // Invalid UTF-8 becomes U+FFFD, and the offsets after it still line up.
  assert.deepEqual(parser.feed(Uint8Array.from([...bytes('data: a'), 0xff, 0xc3, ...bytes('b\nevent: z\n\n')])), [
    { type: 'z', data: 'a\uFFFD\uFFFDb', lastEventId: '𝄞' },
  ]);
  parser.free();
});

// bridge.cpp passes an event's data and id as offsets into the input when every input byte up to
// them is ASCII, and copies them otherwise: every chunking must give the same events either way.
test('fields sliced from the input and fields copied agree, in any chunking, bytes or strings', () => {
  const events = [];
  let stream = '';
  const add = (type, data, id) => {
    stream += `${type ? `event: ${type}\n` : ''}${id !== undefined ? `id: ${id}\n` : ''}`;
    stream += data.split('\n').map((line) => `data: ${line}\n`).join('') + '\n';
  };
  add('t', 'plain ascii data', '1');
  add('', 'no type', '2');
  add('t', 'café, then ascii after it', '3');
  add('u', 'ascii again once the input was not', undefined);
  add('', 'two\nlines', '😀');
  add('t', 'x'.repeat(300), '5');
  stream = '\uFEFF' + stream;  // a BOM: stripped, and the input before the fields is not ASCII
  const whole = new SseParser().feed(stream);
  assert.equal(whole.length, 6);
  assert.deepEqual(whole[2], { type: 't', data: 'café, then ascii after it', lastEventId: '3' });
  assert.deepEqual(whole[4], { type: 'message', data: 'two\nlines', lastEventId: '😀' });
  const utf8 = bytes(stream);
  const codePoints = [...stream];
  for (let size = 1; size <= 40; size++) {
    for (const strings of [false, true]) {
      const parser = new SseParser();
      const got = [];
      if (strings) {
        for (let i = 0; i < codePoints.length; i += size) got.push(...parser.feed(codePoints.slice(i, i + size).join('')));
      } else {
        for (let i = 0; i < utf8.length; i += size) got.push(...parser.feed(utf8.subarray(i, i + size)));
      }
      assert.deepEqual(got, whole, `${strings ? 'strings' : 'bytes'} of ${size}`);
      parser.free();
    }
  }
  // The same parser fed an ASCII string, then bytes, then a non-ASCII string: nothing carried over.
  const parser = new SseParser();
  assert.deepEqual(parser.feed('data: s\n\n'), [{ type: 'message', data: 's', lastEventId: '' }]);
  assert.deepEqual(parser.feed(bytes('data: b\n\n')), [{ type: 'message', data: 'b', lastEventId: '' }]);
  assert.deepEqual(parser.feed('data: ü\nid: i\n\ndata: a\n\n'), [
    { type: 'message', data: 'ü', lastEventId: 'i' },
    { type: 'message', data: 'a', lastEventId: 'i' },
  ]);
  parser.free();
});

test('repeated types and ids are reused across feeds, and changes are seen', () => {
  const parser = new SseParser();
  const a = parser.feed('event: t\nid: 1\ndata: a\n\n');
  const b = parser.feed('event: t\ndata: b\n\n');
  const c = parser.feed('event: u\nid:\ndata: c\n\nevent: t\ndata: d\n\n');
  assert.deepEqual([...a, ...b, ...c], [
    { type: 't', data: 'a', lastEventId: '1' },
    { type: 't', data: 'b', lastEventId: '1' },
    { type: 'u', data: 'c', lastEventId: '' },
    { type: 't', data: 'd', lastEventId: '' },
  ]);
  parser.free();
});

test('feedRecords reports retry and comments in stream order', () => {
  const parser = new SseParser();
  const records = parser.feedRecords(Uint8Array.from([...bytes(': hi\nretry: 5\ndata: x\n\n:'), 0xfe, 0x0a]));
  assert.deepEqual(records, [{ comment: ' hi' }, { retry: 5 }, { type: 'message', data: 'x', lastEventId: '' }, { comment: '\uFFFD' }]);
  assert.deepEqual(parser.feed(': ignored\nretry: 18446744073709551615\n'), []);
  assert.equal(parser.retryExact, 18446744073709551615n);
  assert.equal(parser.retry, 2 ** 64);
  parser.free();
});

test('memory growth in the middle of a feed: large events come out whole', () => {
  const parser = new SseParser({ maxLineLength: Infinity, maxEventSize: Infinity });
  const big = 'x'.repeat(24 << 20);  // more than the initial memory many times over
  const events = parser.feed(`data: ${big}\nid: é\n\ndata: after\n\n`);
  assert.equal(events.length, 2);
  assert.equal(events[0].data.length, big.length);
  assert.ok(events[0].data === big);
  assert.deepEqual(events[1], { type: 'message', data: 'after', lastEventId: 'é' });
  parser.free();
});

test('SseParserStream: bytes in, events out, any chunking', async () => {
  const body = bytes('retry: 10\nid: 1\ndata: one\n\nevent: two\ndata: 2\ndata: 2\n\ndata: cut');
  const chunks = [];
  for (let i = 0; i < body.length; i += 3) chunks.push(body.subarray(i, i + 3));
  const source = new ReadableStream({
    start(controller) {
      for (const c of chunks) controller.enqueue(c);
      controller.close();
    },
  });
  const events = [];
  for await (const e of source.pipeThrough(new SseParserStream())) events.push(e);
  assert.deepEqual(events, [
    { type: 'message', data: 'one', lastEventId: '1' },
    { type: 'two', data: '2\n2', lastEventId: '1' },
  ]);
});

test('SseParserStream errors with the SseError of a limit', async () => {
  const source = new ReadableStream({
    start(controller) {
      controller.enqueue(bytes('data: 0123456789\n\n'));
      controller.close();
    },
  });
  const reader = source.pipeThrough(new SseParserStream({ maxLineLength: 4 })).getReader();
  await assert.rejects(reader.read(), { name: 'SseError', code: 'line_too_long' });
});

test('encode: the native encoder, with its validation', () => {
  assert.equal(encode({ data: 'hi' }), 'data: hi\n\n');
  assert.equal(encode({ type: 'up', data: 'a\r\nb\rc\nd', id: '7', retry: 1000 }),
    'id: 7\nevent: up\nretry: 1000\ndata: a\ndata: b\ndata: c\ndata: d\n\n');
  assert.equal(encode({ id: '' }), 'id: \n\n');
  assert.equal(encode({ data: '' }), 'data: \n\n');
  assert.equal(encode({ data: ' lead' }), 'data:  lead\n\n');
  assert.equal(encode({ retry: 18446744073709551615n }), 'retry: 18446744073709551615\n\n');
  assert.equal(encode({ data: 'é😀' }), 'data: é😀\n\n');
  assert.throws(() => encode({ type: 'a\nb', data: '' }), { name: 'SseError', code: 'type_has_line_break', errno: 100 });
  assert.throws(() => encode({ type: 'a\rb', data: '' }), { code: 'type_has_line_break' });
  assert.throws(() => encode({ id: '1\n', data: '' }), { code: 'id_has_line_break', errno: 101 });
  assert.throws(() => encode({ id: '1\0', data: '' }), { code: 'id_has_nul', errno: 102 });
  assert.throws(() => encode({ type: 'x' }), { code: 'type_without_data', errno: 103 });
  assert.throws(() => encode({ data: 5 }), TypeError);
  assert.throws(() => encode(null), TypeError);
  assert.throws(() => encode({ retry: -1 }), RangeError);
  assert.throws(() => encode({ retry: 1.5 }), RangeError);
  assert.throws(() => encode({ retry: 1n << 64n }), RangeError);
});

test('encode round trip: parse(encode(m)) == normalise(m), random messages', (t) => {
  const s = seed();
  t.diagnostic(`seed ${s} (rerun with SSE_SEED=${s})`);
  const random = prng(s);
  const pick = (xs) => xs[Math.floor(random() * xs.length)];
  const pieces = ['a', 'b', ' ', ':', 'data', '\r', '\n', '\r\n', 'é', '😀', '\uFEFF', '\0', 'id: x', ''];
  const text = (breaks) => {
    let out = '';
    for (let n = Math.floor(random() * 8); n > 0; n--) {
      const p = pick(pieces);
      if (!breaks && /[\r\n\0]/.test(p)) continue;
      out += p;
    }
    return out;
  };
  const parser = new SseParser();
  for (let i = 0; i < 2000; i++) {
    const m = { data: text(true) };
    if (random() < 0.5) m.type = text(false);
    if (random() < 0.5) m.id = text(false);
    const wire = encode(m);
    const events = parser.feed(wire);
    const expectId = m.id ?? (i === 0 ? '' : undefined);
    assert.equal(events.length, 1, `seed ${s}: ${JSON.stringify(m)}`);
    assert.equal(events[0].type, m.type ? m.type : 'message', `seed ${s}: ${JSON.stringify(m)}`);
    assert.equal(events[0].data, m.data.replace(/\r\n|\r/g, '\n'), `seed ${s}: ${JSON.stringify(m)}`);
    if (expectId !== undefined) assert.equal(events[0].lastEventId, expectId, `seed ${s}: ${JSON.stringify(m)}`);
  }
  parser.free();
});

test('SseParserStream rejects bad options at construction', () => {
  assert.throws(() => new SseParserStream({ maxLineLength: -5 }), RangeError);
});

test('encode and lastEventId across memory growth', () => {
  const data = 'é'.repeat(12 << 20);  // 24 MiB of UTF-8 in, more out: grows memory inside the call
  const wire = encode({ id: 'i', data });
  assert.equal(wire.length, 'id: i\ndata: \n\n'.length + data.length);
  assert.ok(wire.endsWith(`${data.slice(-3)}\n\n`));
  const parser = new SseParser({ maxLineLength: Infinity, maxEventSize: Infinity });
  const id = 'ü'.repeat(1 << 20);
  assert.deepEqual(parser.feed(`id: ${id}\n\n`), []);
  assert.equal(parser.lastEventId, id);
  parser.free();
});
