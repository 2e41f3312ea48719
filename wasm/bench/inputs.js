// The byte streams the parser benchmarks are run on, as arrays of 16 KiB chunks.
//
// Two families:
// - `bench.js`'s own (its numbers in docs/BENCHMARKS.md since the package exists): small events
//   with one type, and 16 KiB-data events with an id and no type;
// - sse-bench's (bench/parser_bench.cpp), byte for byte: the same generator (xorshift64 over a
//   72-character alphabet, the same seed), so bench/compare sets the native parser, the wasm
//   package and eventsource-parser against each other on identical input.

export const CHUNK = 16 * 1024;

/** `bytes` as CHUNK-sized pieces (each its own buffer, as a network read would be). */
export function chunk(bytes) {
  const out = [];
  for (let i = 0; i < bytes.length; i += CHUNK) out.push(bytes.slice(i, i + CHUNK));
  return out;
}

const encoder = new TextEncoder();

/** bench.js's small events: id, one type, 64 bytes of data. */
export function benchSmall(n = 50000) {
  const data = 'x'.repeat(64);
  let s = '';
  for (let i = 0; i < n; i++) s += `id: ${i}\nevent: update\ndata: ${data}\n\n`;
  return { bytes: encoder.encode(s), events: n };
}

/** bench.js's 16 KiB-data events: id and data only. */
export function benchLarge(n = 512) {
  const data = 'abcdefghijklmnop'.repeat(1024);
  let s = '';
  for (let i = 0; i < n; i++) s += `id: ${i}\ndata: ${data}\n\n`;
  return { bytes: encoder.encode(s), events: n };
}

// sse-bench's filler (parser_bench.cpp): xorshift64 (13, 7, 17) from 0x9E3779B97F4A7C15, each
// step picking alphabet[state % 72]. The 64-bit state is kept as two 32-bit halves.
const ALPHABET = 'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789 {}",._-+=';
class Filler {
  #hi = 0x9e3779b9;
  #lo = 0x7f4a7c15;
  next() {
    let hi = this.#hi, lo = this.#lo;
    // state ^= state << 13
    hi = (hi ^ ((hi << 13) | (lo >>> 19))) >>> 0;
    lo = (lo ^ (lo << 13)) >>> 0;
    // state ^= state >> 7
    lo = (lo ^ ((lo >>> 7) | (hi << 25))) >>> 0;
    hi = (hi ^ (hi >>> 7)) >>> 0;
    // state ^= state << 17
    hi = (hi ^ ((hi << 17) | (lo >>> 15))) >>> 0;
    lo = (lo ^ (lo << 17)) >>> 0;
    this.#hi = hi;
    this.#lo = lo;
    // (hi * 2^32 + lo) % 72, with 2^32 % 72 == 40
    return ALPHABET.charCodeAt(((hi % 72) * 40 + (lo % 72)) % 72);
  }
}

/** sse-bench's make_events(data_size, total): id, one of four types, one data line. */
function sseBenchEvents(dataSize, total) {
  const types = ['update', 'tick', 'quote', 'presence'];
  const fill = new Filler();
  const out = new Uint8Array(total + dataSize + 64);
  let at = 0;
  const put = (s) => { at += encoder.encodeInto(s, out.subarray(at)).written; };
  let events = 0;
  while (at < total) {
    put(`id: ${events}\nevent: ${types[events % types.length]}\ndata: `);
    for (let i = 0; i < dataSize; i++) out[at++] = fill.next();
    put('\n\n');
    events++;
  }
  return { bytes: out.slice(0, at), events };
}

/** sse-bench's parser/small input: 1 MiB of events with 64 bytes of data. */
export const sseBenchSmall = () => sseBenchEvents(64, 1 << 20);

/** sse-bench's parser/large16k input: 1 MiB of events with 16 KiB of data. */
export const sseBenchLarge = () => sseBenchEvents(16 * 1024, 1 << 20);
