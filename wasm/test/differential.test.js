// Differential test: seeded random streams through the native sse-parse (the reference every
// suite compares with) and through the wasm SseParser, at random chunkings; the records (events,
// retries, comments) and the final last event ID must be identical.
//
// sse-parse comes from SSE_PARSE, else build/dev/proto/tools/sse-parse (`cmake --workflow --preset
// dev` builds it); without it the test is skipped, saying why. SSE_SEED replays a seed.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

import { SseParser, SseError } from '@ssekit/wasm';
import { normalise, parseRecordsJson, prng, roundRetries, seed } from './support.js';

const ssePars = process.env.SSE_PARSE ?? fileURLToPath(new URL('../../build/dev/proto/tools/sse-parse', import.meta.url));
const skip = existsSync(ssePars) ? false : `native sse-parse not found at ${ssePars}; build the dev preset or set SSE_PARSE`;

const enc = new TextEncoder();
const TOKENS = [
  'data', 'data', 'data:', 'data: ', 'event: ', 'event:', 'id: ', 'id:', 'retry: ', 'retry:', ':', ': hb',
  'x', 'y', ' ', '  ', '1', '42', '18446744073709551616', 'é', '😀', '\uFEFF', '\0', 'ping', 'message',
  '\n', '\n', '\r', '\r\n', '\n\n', '\r\n\r\n', 'unknown: v', 'Data: z',
];
const BYTES = [[0xff], [0xc3], [0xe2, 0x82], [0xf0, 0x9f, 0x98], [0xed, 0xa0, 0x80], [0xef, 0xbb, 0xbf]];

const FIELDS = ['data: ', 'data:', 'data', 'event: ', 'event:', 'id: ', 'id:', 'retry: ', 'retry:', ': ', ':', 'x: ', ''];
const VALUES = ['x', 'y', ' ', '1', '42', '007', '18446744073709551616', 'é', '😀', '\uFEFF', '\0', 'ping', ':', 'data: '];
const ENDS = ['\n', '\n', '\r', '\r\n'];
const pick = (random, xs) => xs[Math.floor(random() * xs.length)];

/** A random stream: mostly well-shaped lines (field, value, line end, blank lines) with token soup,
 *  invalid UTF-8 and a BOM mixed in, so events, retries, comments and oddities all occur. */
function randomStream(random) {
  const parts = [];
  if (random() < 0.2) parts.push([0xef, 0xbb, 0xbf]);
  for (let n = Math.floor(random() * 24); n > 0; n--) {
    const r = random();
    if (r < 0.25) {
      parts.push([...enc.encode(pick(random, ENDS))]);  // blank line: dispatch
    } else if (r < 0.4) {
      for (let k = Math.floor(random() * 6); k > 0; k--) {
        parts.push(random() < 0.2 ? pick(random, BYTES) : [...enc.encode(pick(random, TOKENS))]);
      }
    } else {
      let line = pick(random, FIELDS);
      for (let k = Math.floor(random() * 4); k > 0; k--) line += pick(random, VALUES);
      parts.push([...enc.encode(line)]);
      if (random() < 0.1) parts.push(pick(random, BYTES));
      parts.push([...enc.encode(pick(random, ENDS))]);
    }
  }
  return Uint8Array.from(parts.flat());
}

function native(bytes, limits) {
  const args = ['--comments', '--chunk', '7'];
  if (limits) args.push('--max-line-length', String(limits.maxLineLength), '--max-event-size', String(limits.maxEventSize));
  const r = spawnSync(ssePars, args, { input: bytes, maxBuffer: 64 << 20 });
  assert.ok(r.status === 0 || r.status === 1, `sse-parse failed: ${r.stderr}`);
  const lines = r.stdout.toString('utf8').split('\n').filter(Boolean);
  return { records: lines.map(parseRecordsJson), limited: r.status === 1 };
}

function wasm(bytes, limits, random) {
  const parser = new SseParser(limits ?? {});
  const records = [];
  let limited = false;
  try {
    for (let at = 0; at < bytes.length; ) {
      const n = 1 + Math.floor(random() * 12);
      try {
        records.push(...parser.feedRecords(bytes.subarray(at, at + n)));
      } catch (e) {
        assert.ok(e instanceof SseError);
        records.push(...e.events);
        limited = true;
        break;
      }
      at += n;
    }
    parser.end();
    return {
      records: normalise(records, { comments: true }),
      limited,
      lastEventId: parser.lastEventId,
      retryExact: parser.retryExact,
    };
  } finally {
    parser.free();
  }
}

test('random streams: native sse-parse and the wasm parser agree', { skip }, (t) => {
  const s = seed();
  t.diagnostic(`seed ${s} (rerun with SSE_SEED=${s})`);
  const random = prng(s);
  let events = 0;
  let limitedRuns = 0;
  for (let i = 0; i < 400; i++) {
    const bytes = randomStream(random);
    const limits = random() < 0.25 ? { maxLineLength: 1 + Math.floor(random() * 30), maxEventSize: 1 + Math.floor(random() * 30) } : undefined;
    const want = native(bytes, limits);
    const got = wasm(bytes, limits, random);
    const what = `seed ${s}, stream ${i}: ${JSON.stringify(Buffer.from(bytes).toString('latin1'))} limits ${JSON.stringify(limits)}`;
    // Records carry retry as a number (rounded above 2^53); retryExact has the exact last one.
    assert.deepEqual(got.records, roundRetries(want.records), what);
    const retries = want.records.filter((r) => 'retry' in r);
    assert.equal(got.retryExact, retries.length ? BigInt(retries.at(-1).retry) : undefined, what);
    assert.equal(got.limited, want.limited, what);
    events += got.records.length;
    if (got.limited) limitedRuns++;
  }
  t.diagnostic(`${events} records, ${limitedRuns} runs stopped by a limit`);
  // The generator must exercise something: events, and some runs that hit a limit.
  assert.ok(events > 400, `only ${events} records in 400 streams`);
  assert.ok(limitedRuns > 5, `only ${limitedRuns} runs hit a limit`);
});

test('native and wasm agree on the last event ID', { skip }, (t) => {
  const s = seed();
  t.diagnostic(`seed ${s}`);
  const random = prng(s);
  for (let i = 0; i < 100; i++) {
    const bytes = randomStream(random);
    const r = spawnSync(ssePars, ['--count'], { input: bytes });
    const count = JSON.parse(r.stdout.toString('utf8').trim().split('\n').at(-1));
    const got = wasm(bytes, undefined, random);
    assert.equal(got.lastEventId, count.last_event_id, `seed ${s}, stream ${i}`);
  }
});
