// Shared helpers for the node --test suites: the vector corpus, record normalisation, a PRNG.
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const vectorsDir =
  process.env.SSE_VECTORS_DIR ?? fileURLToPath(new URL('../../tests/vectors/', import.meta.url));

/**
 * JSON.parse with every `"retry": N` kept as a string: the corpus has values up to 2^64 - 1,
 * which Number would round (tests/vectors/README.md).
 */
export function parseRecordsJson(text) {
  return JSON.parse(text.replace(/("retry"\s*:\s*)(\d+)/g, '$1"$2"'));
}

/** Every case of every tests/vectors/*.json file, with its input as bytes. */
export function loadVectors() {
  const cases = [];
  for (const file of readdirSync(vectorsDir).filter((f) => f.endsWith('.json')).sort()) {
    const suite = parseRecordsJson(readFileSync(join(vectorsDir, file), 'utf8'));
    for (const c of suite.cases) {
      const bytes =
        c.input !== undefined
          ? new TextEncoder().encode(c.input)
          : Uint8Array.from(Buffer.from(c.input_hex.replace(/\s+/g, ''), 'hex'));
      cases.push({ ...c, file, bytes });
    }
  }
  return cases;
}

/**
 * Our records in the corpus's shape ({type, data, id} / {retry: "N"} / {comment}), so deepEqual
 * compares them with the vectors and with sse-parse's output. Retry numbers are compared as
 * decimal strings of the exact value where we have it.
 */
export function normalise(records, { comments = false } = {}) {
  const out = [];
  for (const r of records) {
    if ('type' in r) out.push({ type: r.type, data: r.data, id: r.lastEventId });
    else if ('retry' in r) out.push({ retry: String(BigInt(r.retry)) });
    else if (comments) out.push({ comment: r.comment });
  }
  return out;
}

/** Expected retry strings rounded the way a JS number holds them (records carry numbers). */
export function roundRetries(records) {
  return records.map((r) => ('retry' in r ? { retry: String(BigInt(Number(r.retry))) } : r));
}

/** mulberry32: a small seeded PRNG, so a failing random case can be replayed with its seed. */
export function prng(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** The seed for random tests: SSE_SEED if set, else a fresh one (printed by the tests). */
export function seed() {
  return process.env.SSE_SEED !== undefined ? Number(process.env.SSE_SEED) : (Math.random() * 2 ** 32) >>> 0;
}
