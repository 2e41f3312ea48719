// Types for @ssekit/wasm (hand-written; the implementation is index.js).

/** One dispatched event (WHATWG HTML 9.2.6 "dispatch the event"). Plain JS strings: keep them. */
export interface SseEvent {
  /** The `event` field, or "message" when the stream gave none. */
  type: string;
  /** The `data` lines joined with LF, final LF removed. */
  data: string;
  /** The stream's last event ID string at dispatch (possibly empty). */
  lastEventId: string;
}

/** A `retry` field with only ASCII digits set the reconnection time (milliseconds). */
export interface SseRetry {
  /** Milliseconds; values above 2^53 are rounded (see SseParser.retryExact). */
  retry: number;
}

/** A comment line (`:` ...), the text after the colon; invalid UTF-8 replaced with U+FFFD. */
export interface SseComment {
  comment: string;
}

export type SseRecord = SseEvent | SseRetry | SseComment;

export type SseErrorCode =
  | 'paused'
  | 'line_too_long'
  | 'event_too_large'
  | 'feed_after_finish'
  | 'type_has_line_break'
  | 'id_has_line_break'
  | 'id_has_nul'
  | 'type_without_data'
  | 'message_too_large';

/** An error from ssekit's core: `code` names the native sse::errc value, `errno` is its number. */
export class SseError extends Error {
  readonly name: 'SseError';
  readonly code: SseErrorCode;
  readonly errno: number;
  /** For a feed that hit a limit: what that call completed before the error, in order. */
  readonly events: SseRecord[];
}

export interface SseParserOptions {
  /** Longest line in bytes, not counting its line end. Default 16 MiB; Infinity: no limit. */
  maxLineLength?: number;
  /** Largest event (data lines plus one LF each, plus the type), in input bytes. Default 16 MiB. */
  maxEventSize?: number;
}

/**
 * Incremental text/event-stream parser (ssekit's sse::parser in WebAssembly).
 *
 * Any chunking gives the same events. CR, LF and CRLF line ends, one leading BOM stripped, invalid
 * UTF-8 replaced with U+FFFD. Memory is bounded by the limits; exceeding one throws SseError and
 * is sticky until reset(). Holds wasm memory: call free() (or `using parser = new SseParser()`),
 * although a parser that is garbage-collected is freed eventually too. Every method throws a
 * TypeError after free().
 */
export class SseParser implements Disposable {
  constructor(options?: SseParserOptions);
  /**
   * Parses a chunk (bytes, or a string taken as its UTF-8 encoding) and returns the events it
   * completed, in order; a partial event waits for the next chunk. On a limit, or after end(),
   * throws SseError (its `events` holds what this call completed before the limit).
   * A string is encoded on its own: a surrogate pair split between two string chunks becomes two
   * U+FFFD, so feed bytes (or whole strings) when input is cut at arbitrary points. A string needs
   * up to 3 bytes of wasm memory per UTF-16 unit for the call.
   */
  feed(input: Uint8Array | ArrayBuffer | ArrayBufferView | string): SseEvent[];
  /** Like feed(), but also returns `retry` and comment records, in stream order. */
  feedRecords(input: Uint8Array | ArrayBuffer | ArrayBufferView | string): SseRecord[];
  /** End of stream: an undispatched event is dropped, as the spec says. Later feeds throw. */
  end(): void;
  /** Starts a new stream (a reconnection): clears errors and end(); keeps lastEventId and retry. */
  reset(): void;
  /** The last event ID string, sent as Last-Event-ID when reconnecting. */
  readonly lastEventId: string;
  /** The reconnection time the stream last set, in ms (rounded above 2^53), or undefined. */
  readonly retry: number | undefined;
  /** The same, exact. */
  readonly retryExact: bigint | undefined;
  /** The sticky error, if any. */
  readonly error: SseError | null;
  /** True after free(). */
  readonly freed: boolean;
  /** Releases the parser's wasm memory. Idempotent. */
  free(): void;
  [Symbol.dispose](): void;
}

/**
 * Bytes (or strings) in, events out, for fetch bodies:
 * `for await (const e of response.body.pipeThrough(new SseParserStream())) ...`.
 * A limit errors the stream with an SseError. The parser is freed at the end, on error or cancel.
 */
export class SseParserStream extends TransformStream<Uint8Array | ArrayBuffer | ArrayBufferView | string, SseEvent> {
  constructor(options?: SseParserOptions);
}

/** An event-stream block to encode; every field is optional. */
export interface SseMessage {
  /** The `event` field; empty or absent: none (the client sees "message"). No CR or LF. */
  type?: string;
  /** The payload; CR, LF and CRLF each start a new `data:` line. Absent: no data, no event. */
  data?: string;
  /** The `id` field; "" resets the client's last event ID. No CR, LF or U+0000. */
  id?: string;
  /** The `retry` field, in milliseconds (a non-negative integer below 2^64). */
  retry?: number | bigint;
}

/**
 * Encodes one block (id, event, retry, data lines, blank line) exactly as the native
 * sse::encode does. Throws SseError (type_has_line_break, id_has_line_break, id_has_nul,
 * type_without_data) rather than strip anything, TypeError / RangeError on wrong argument types.
 */
export function encode(message: SseMessage): string;

/** Bytes of WebAssembly memory the module holds now (it grows, never shrinks): for monitoring. */
export function wasmMemoryBytes(): number;
