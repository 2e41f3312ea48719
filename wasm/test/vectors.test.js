// Every case of tests/vectors/ through SseParser: whole, split at every offset, byte by byte,
// as a string, and with limits set to the input's size; all must give the corpus's records.
import { test } from 'node:test';
import assert from 'node:assert/strict';

import { SseParser, SseError } from '@ssekit/wasm';
import { loadVectors, normalise, roundRetries } from './support.js';

const vectors = loadVectors();

/** Feeds `pieces` to a new parser; returns {records, error, lastEventId, retryExact}. */
function run(c, pieces, { limits = c.limits, asString = false } = {}) {
  const options = limits ? { maxLineLength: limits.max_line_length, maxEventSize: limits.max_event_size } : {};
  const parser = new SseParser(options);
  try {
    return feedAll(c, parser, pieces, asString);
  } finally {
    parser.free();
  }
}

function feedAll(c, parser, pieces, asString) {
  const records = [];
  let error = null;
  for (const piece of pieces) {
    try {
      records.push(...parser.feedRecords(asString ? new TextDecoder('utf-8', { ignoreBOM: true }).decode(piece) : piece));
    } catch (e) {
      assert.ok(e instanceof SseError, `${c.id}: ${e}`);
      records.push(...e.events);
      error = e.code;
      // Sticky: the next feed fails the same way and produces nothing.
      assert.throws(() => parser.feed('data: x\n\n'), { name: 'SseError', code: e.code });
      break;
    }
  }
  parser.end();
  if (error === null) assert.equal(parser.error, null);
  else assert.equal(parser.error?.code, error);
  return { records, error, lastEventId: parser.lastEventId, retryExact: parser.retryExact };
}

function check(c, result, how) {
  const expect = roundRetries(c.expect);
  assert.deepEqual(normalise(result.records), expect, `${c.id} (${how}): records`);
  assert.equal(result.error, c.error ?? null, `${c.id} (${how}): error`);
  assert.equal(result.lastEventId, c.last_event_id, `${c.id} (${how}): last event id`);
  const retries = c.expect.filter((r) => 'retry' in r);
  assert.equal(
    result.retryExact,
    retries.length ? BigInt(retries.at(-1).retry) : undefined,
    `${c.id} (${how}): exact retry`,
  );
}

test('the corpus is there', () => {
  assert.ok(vectors.length >= 200, `only ${vectors.length} vectors found`);
});

test('every vector, whole', () => {
  for (const c of vectors) check(c, run(c, [c.bytes]), 'whole');
});

test('every vector, split at every offset', () => {
  for (const c of vectors) {
    for (let i = 0; i <= c.bytes.length; i++) {
      check(c, run(c, [c.bytes.subarray(0, i), c.bytes.subarray(i)]), `split at ${i}`);
    }
  }
});

test('every vector, byte by byte', () => {
  for (const c of vectors) {
    const pieces = Array.from(c.bytes, (_, i) => c.bytes.subarray(i, i + 1));
    check(c, run(c, pieces), 'byte by byte');
  }
});

test('every text vector, fed as a string', () => {
  for (const c of vectors.filter((v) => v.input !== undefined)) check(c, run(c, [c.bytes], { asString: true }), 'string');
});

test('every vector without an error, with both limits at its input size', () => {
  for (const c of vectors.filter((v) => v.error === undefined && v.limits === undefined)) {
    const n = Math.max(c.bytes.length, 1);
    check(c, run(c, [c.bytes], { limits: { max_line_length: n, max_event_size: n } }), 'limits = size');
  }
});

test('every vector, on one parser reused with reset()', () => {
  // reset() keeps the last event ID and retry, so only the records are compared here.
  const parser = new SseParser();
  for (const c of vectors.filter((v) => v.error === undefined && v.limits === undefined)) {
    parser.reset();
    const records = parser.feedRecords(c.bytes);
    parser.end();
    assert.deepEqual(
      normalise(records).map((r) => ('type' in r ? { type: r.type, data: r.data } : r)),
      roundRetries(c.expect).map((r) => ('type' in r ? { type: r.type, data: r.data } : r)),
      `${c.id} (reused parser)`,
    );
  }
  parser[Symbol.dispose]();
  assert.ok(parser.freed);
});
