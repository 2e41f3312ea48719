// @ssekit/wasm's core: the wasm instance (sse::proto compiled to WebAssembly, inlined in
// dist/ssekit.mjs and instantiated once, at import), the parser, the encoder and the Content-Type
// check. (The validator is a second module, loaded on first use: validator.js.) The package entry
// (index.js) re-exports the public names; the `internal` object at the end is for the package's
// other modules only (package.json's `exports` keeps it from users).
//
// Memory rules kept throughout this file: every view into wasm memory (u8, u32, and the subarrays
// made from them) is re-taken with views() after any call that may grow memory, and none is kept
// across calls into the module. Strings handed to callers are JS strings: they never alias wasm
// memory, so they stay valid forever.
import createSsekit from '../dist/ssekit.mjs';

const wasm = await createSsekit();
const {
  _sse_output: sseOutput,
  _sse_input: sseInput,
  _sse_parser_new: parserNew,
  _sse_parser_free: parserFree,
  _sse_parser_feed: parserFeed,
  _sse_parser_finish: parserFinish,
  _sse_parser_reset: parserReset,
  _sse_parser_state: parserState,
  _sse_to_utf16: toUtf16,
  _sse_encode: sseEncode,
  _sse_is_event_stream: isEventStreamRaw,
} = wasm;

let u8 = wasm.HEAPU8;
let u32 = new Uint32Array(u8.buffer);
/** Re-takes the heap views if memory grew (growing replaces the ArrayBuffer). */
function views() {
  if (wasm.HEAPU8 !== u8) {
    u8 = wasm.HEAPU8;
    u32 = new Uint32Array(u8.buffer);
  }
}

// The state block bridge.cpp fills after each call (word indexes into u32).
const S = sseOutput() >>> 2;
const RECORDS = S, RECORD_WORDS = S + 1, TEXT = S + 2, TEXT_BYTES = S + 3;
const LAST_ID = S + 4, LAST_ID_BYTES = S + 5, HAS_RETRY = S + 6, RETRY_LOW = S + 7;
const RETRY_HIGH = S + 8;
const ERROR = S + 9;
const INPUT_TEXT = S + 10;
const RECORD_COUNT = S + 11;

const FLAG_TYPE_MESSAGE = 0x100, FLAG_TYPE_SAME = 0x200, FLAG_ID_SAME = 0x400;
const FLAG_DATA_IN_INPUT = 0x800, FLAG_ID_IN_INPUT = 0x1000;
const MODE_COMMENTS = 1;

// ignoreBOM: a field may start with U+FEFF; the decoder must not eat it.
const decoder = new TextDecoder('utf-8', { ignoreBOM: true });
const encoder = new TextEncoder();

// The module-wide input buffer: its address and the size JS last asked for.
let inputAddress = 0;
let inputSize = 0;
/** Room for n input bytes; returns its address. May grow memory: views() after it. */
function reserve(n) {
  if (n > inputSize) {
    inputAddress = sseInput(n);
    if (inputAddress === 0) throw new RangeError('ssekit: out of wasm memory');
    inputSize = n;
  }
  return inputAddress;
}

// Set by put(): `input` when it was a string of ASCII characters only (so its UTF-8 bytes, now in
// the input buffer, and its characters correspond one to one), else null.
let asciiInput = null;

/** Copies `input` into the input buffer; returns its size in bytes. */
function put(input) {
  asciiInput = null;
  if (typeof input === 'string') {
    const max = input.length * 3;  // UTF-16 code unit -> at most 3 UTF-8 bytes
    const at = reserve(max);
    views();
    const written = encoder.encodeInto(input, u8.subarray(at, at + max)).written;
    if (written === input.length) asciiInput = input;  // only ASCII encodes one byte per unit
    return written;
  }
  let bytes = input;
  if (!(bytes instanceof Uint8Array)) {
    if (ArrayBuffer.isView(bytes)) bytes = new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    else if (bytes instanceof ArrayBuffer) bytes = new Uint8Array(bytes);
    else throw new TypeError('SseParser.feed: expected a Uint8Array, ArrayBuffer(View) or string');
  }
  const at = reserve(bytes.length);
  views();
  u8.set(bytes, at);
  return bytes.length;
}

/** The UTF-8 string at [address, address + bytes) of wasm memory. */
function text(address, bytes) {
  return bytes === 0 ? '' : decoder.decode(u8.subarray(address, address + bytes));
}

const CODES = new Map([
  [1, 'paused'],
  [2, 'line_too_long'],
  [3, 'event_too_large'],
  [4, 'feed_after_finish'],
  [100, 'type_has_line_break'],
  [101, 'id_has_line_break'],
  [102, 'id_has_nul'],
  [103, 'type_without_data'],
  [104, 'message_too_large'],
]);
// The same messages as the native "sse" error category (proto/src/error.cpp).
const MESSAGES = {
  paused: 'parser paused by its handler; feed the remaining bytes to resume',
  line_too_long: 'line longer than the maxLineLength limit; raise the limit or treat the peer as hostile',
  event_too_large: 'event larger than the maxEventSize limit; raise the limit or treat the peer as hostile',
  feed_after_finish: 'feed() after end(); call reset() to start a new stream',
  type_has_line_break: 'event type contains CR or LF, which the event-stream format cannot carry',
  id_has_line_break: 'event id contains CR or LF, which the event-stream format cannot carry',
  id_has_nul: 'event id contains U+0000 NULL; clients ignore such an id',
  type_without_data:
    'event type set without data; clients dispatch no event without data, so set data (empty is fine) or leave the type empty',
  message_too_large: 'encoded message larger than a std::string can hold; send the data in parts',
};

let parserAddress;

/** An error ssekit reports: `code` is the sse::errc name, `errno` its stable number. */
export class SseError extends Error {
  constructor(errno, events = []) {
    const code = CODES.get(errno) ?? `unknown_${errno}`;
    super(MESSAGES[code] ?? `unknown sse error ${errno}`);
    this.name = 'SseError';
    this.code = code;
    this.errno = errno;
    this.events = events;
  }
}

const DEFAULT_LIMIT = 16 * 1024 * 1024;
const NO_LIMIT = 0xffffffff;  // SIZE_MAX on wasm32
function limit(value, name) {
  if (value === undefined) return DEFAULT_LIMIT;
  if (value === Infinity) return NO_LIMIT;
  if (!Number.isInteger(value) || value < 0) {
    throw new RangeError(`SseParser: ${name} must be a non-negative integer or Infinity`);
  }
  return Math.min(value, NO_LIMIT);
}

// Frees parsers that were garbage-collected without free(): a safety net, not a substitute.
const registry = new FinalizationRegistry((address) => parserFree(address));

/** Incremental text/event-stream parser; see index.d.ts for the contract. */
export class SseParser {
  #address;
  // The last type and id this parser's events carried: bridge.cpp flags repeats instead of
  // copying them, and both sides start from ''.
  #type = '';
  #id = '';

  constructor(options = {}) {
    const maxLineLength = limit(options.maxLineLength, 'maxLineLength');
    const maxEventSize = limit(options.maxEventSize, 'maxEventSize');
    this.#address = parserNew(maxLineLength, maxEventSize);
    if (this.#address === 0) throw new RangeError('ssekit: out of wasm memory');
    registry.register(this, this.#address, this);
  }

  /** Parses a chunk; returns the events it completed, in order. Throws SseError on a limit. */
  feed(input) {
    return this.#feed(input, 0);
  }

  /** Like feed(), but returns retry and comment records too, in stream order. */
  feedRecords(input) {
    return this.#feed(input, MODE_COMMENTS);
  }

  /** End of stream: an unfinished event is dropped, as the spec says. */
  end() {
    parserFinish(this.#live());
  }

  /** Starts a new stream (a reconnection); keeps lastEventId and retry. */
  reset() {
    parserReset(this.#live());
  }

  get lastEventId() {
    parserState(this.#live());
    views();
    return text(u32[LAST_ID], u32[LAST_ID_BYTES]);
  }

  get retry() {
    parserState(this.#live());
    views();
    return u32[HAS_RETRY] ? u32[RETRY_HIGH] * 2 ** 32 + u32[RETRY_LOW] : undefined;
  }

  get retryExact() {
    parserState(this.#live());
    views();
    return u32[HAS_RETRY] ? (BigInt(u32[RETRY_HIGH]) << 32n) | BigInt(u32[RETRY_LOW]) : undefined;
  }

  get error() {
    parserState(this.#live());
    views();
    return u32[ERROR] === 0 ? null : new SseError(u32[ERROR]);
  }

  get freed() {
    return this.#address === 0;
  }

  /** Releases the wasm memory; later calls throw. Idempotent. */
  free() {
    if (this.#address !== 0) {
      registry.unregister(this);
      parserFree(this.#address);
      this.#address = 0;
    }
  }

  // Symbol.dispose: Node 20 and current browsers have it; elsewhere a registered stand-in.
  [Symbol.dispose ?? Symbol.for('Symbol.dispose')]() {
    this.free();
  }

  #live() {
    if (this.#address === 0) throw new TypeError('SseParser: used after free()');
    return this.#address;
  }

  static {
    parserAddress = (parser) => parser.#live();
  }

  #feed(input, mode) {
    const address = this.#live();
    const n = put(input);
    const errno = parserFeed(address, n, mode);
    const out = this.#collect(mode !== 0);
    if (errno !== 0) throw new SseError(errno, out);
    return out;
  }

  // Turns the arena bridge.cpp filled into JS objects: one decode for the text buffer and one for
  // the part of the input that fields were found in (none when the input was an ASCII string),
  // then slices.
  #collect(all) {
    views();
    const u = u32;  // a local: the loop below reads it a dozen times per event
    let w = u[RECORDS] >>> 2;
    const end = w + u[RECORD_WORDS];
    if (w === end) return [];
    // Sized once: growing it event by event cost a few percent of a small event.
    const out = new Array(u[RECORD_COUNT]);
    let n = 0;
    const textBytes = u[TEXT_BYTES];
    const s = text(u[TEXT], textBytes);
    if (s.length !== textBytes) toUtf16();  // not all ASCII: lengths become UTF-16 units
    const inputText = u[INPUT_TEXT];
    const input = inputText === 0 ? '' : asciiInput ?? text(inputAddress, inputText);
    let pos = 0;
    let type = this.#type;
    let id = this.#id;
    while (w < end) {
      const head = u[w];
      const kind = head & 0xff;
      if (kind === 0) {
        let t;
        if (head & FLAG_TYPE_MESSAGE) t = 'message';
        else if (head & FLAG_TYPE_SAME) t = type;
        else t = type = s.slice(pos, (pos += u[w + 1]));
        let data;
        if (head & FLAG_DATA_IN_INPUT) data = input.slice(u[w + 3], u[w + 3] + u[w + 2]);
        else data = s.slice(pos, (pos += u[w + 2]));
        if (head & FLAG_ID_IN_INPUT) id = input.slice(u[w + 5], u[w + 5] + u[w + 4]);
        else if ((head & FLAG_ID_SAME) === 0) id = s.slice(pos, (pos += u[w + 4]));
        out[n++] = { type: t, data, lastEventId: id };
        w += 6;
      } else if (kind === 1) {
        if (all) out[n++] = { retry: u[w + 2] * 2 ** 32 + u[w + 1] };
        w += 3;
      } else {
        const comment = s.slice(pos, (pos += u[w + 1]));
        if (all) out[n++] = { comment };
        w += 2;
      }
    }
    this.#type = type;
    this.#id = id;
    if (n !== out.length) out.length = n;  // retries and comments that feed() leaves out
    return out;
  }
}

/**
 * A TransformStream from bytes (or strings) to events, for fetch bodies:
 * `response.body.pipeThrough(new SseParserStream())`. Owns one SseParser, freed at the end of
 * the stream, on error or on cancel.
 */
export class SseParserStream extends TransformStream {
  constructor(options = {}) {
    const parser = new SseParser(options);  // here, so bad options throw from the constructor
    super({
      transform(chunk, controller) {
        let events;
        try {
          events = parser.feed(chunk);
        } catch (error) {
          parser.free();
          throw error;  // errors both sides of the stream
        }
        for (let i = 0; i < events.length; i++) controller.enqueue(events[i]);
      },
      flush() {
        parser.end();
        parser.free();
      },
      cancel() {
        parser.free();
      },
    });
  }
}

function fieldBytes(value, name) {
  if (typeof value !== 'string') throw new TypeError(`encode: ${name} must be a string`);
  return value;
}

/**
 * Encodes one event-stream block, with the native encoder's validation: throws SseError
 * (type_has_line_break, id_has_line_break, id_has_nul, type_without_data). Returns the text.
 */
export function encode(event) {
  if (event === null || typeof event !== 'object') throw new TypeError('encode: expected an event object');
  const type = event.type === undefined || event.type === null ? '' : fieldBytes(event.type, 'type');
  const data = event.data === undefined || event.data === null ? undefined : fieldBytes(event.data, 'data');
  const id = event.id === undefined || event.id === null ? undefined : fieldBytes(event.id, 'id');
  let retry = event.retry;
  let hasRetry = 0, retryLow = 0, retryHigh = 0;
  if (retry !== undefined && retry !== null) {
    if (typeof retry === 'number') {
      if (!Number.isSafeInteger(retry) || retry < 0) throw new RangeError('encode: retry must be a non-negative integer');
      retry = BigInt(retry);
    } else if (typeof retry !== 'bigint' || retry < 0n || retry >= 1n << 64n) {
      throw new RangeError('encode: retry must be a non-negative integer below 2^64');
    }
    hasRetry = 1;
    retryLow = Number(retry & 0xffffffffn);
    retryHigh = Number(retry >> 32n);
  }
  const max = (type.length + (data?.length ?? 0) + (id?.length ?? 0)) * 3;
  const at = reserve(max);
  views();
  const buffer = u8.subarray(at, at + max);
  const typeLen = encoder.encodeInto(type, buffer).written;
  const dataLen = data === undefined ? -1 : encoder.encodeInto(data, buffer.subarray(typeLen)).written;
  const idLen = id === undefined ? -1 : encoder.encodeInto(id, buffer.subarray(typeLen + Math.max(dataLen, 0))).written;
  const errno = sseEncode(typeLen, dataLen, idLen, hasRetry, retryLow, retryHigh);
  views();
  if (errno !== 0) throw new SseError(errno);
  return text(u32[TEXT], u32[TEXT_BYTES]);
}

/**
 * True iff a Content-Type header value makes a response an event stream, as browsers decide
 * (MIME essence text/event-stream; parameters ignored). null/undefined/'' (no header): false.
 */
export function isEventStream(contentType) {
  if (contentType === undefined || contentType === null || contentType === '') return false;
  if (typeof contentType !== 'string') throw new TypeError('isEventStream: expected a string');
  return isEventStreamRaw(put(contentType)) === 1;
}

/** Bytes of wasm memory the module holds now (it grows, never shrinks): for monitoring. */
export function wasmMemoryBytes() {
  views();
  return u8.byteLength;
}

/** For the package's own modules (event_source_client.js, validator.js): not public API. */
export const internal = {
  wasm,
  put,
  text,
  /** The current Uint8Array / Uint32Array views of wasm memory, re-taken if memory grew. */
  u8() {
    views();
    return u8;
  },
  u32() {
    views();
    return u32;
  },
  parserAddress: (parser) => parserAddress(parser),
  limit,
};
