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

/** One graded observation of sse::validator (the codes `sse-parse --validate` prints). */
export interface SseObservation {
  /** Stable external name, e.g. "retry-not-digits". */
  code: string;
  severity: 'info' | 'warning' | 'error';
  /** Byte offset of what it is about, from the stream's first byte (a BOM included). */
  offset: number;
  /** 1-based line containing `offset` (lines end at CR, LF or CRLF). */
  line: number;
  /** What is wrong and what the server should do instead (English, one line). */
  message: string;
}

/**
 * What a strict reader would say about a raw event stream (sse::validator in WebAssembly).
 * Observations do not depend on chunking. Holds wasm memory: free() it (or `using`).
 *
 * The validator is a second wasm module (dist/ssekit-validator.mjs), imported on first use so
 * that pages using only the parser or the client do not download it:
 * `const v = await SseValidator.create()`, or `await SseValidator.load()` once and then
 * `new SseValidator()`.
 */
export class SseValidator implements Disposable {
  /**
   * Imports and instantiates the validator module; once: later calls return the same promise.
   * Rejects when the module cannot be loaded (a later call tries again).
   */
  static load(): Promise<void>;
  /** load(), then `new SseValidator(options)`. */
  static create(options?: SseParserOptions): Promise<SseValidator>;
  /**
   * Limits to judge the stream by, as SseParserOptions (default 16 MiB each). Throws a TypeError
   * when the module is not loaded yet (see load()).
   */
  constructor(options?: SseParserOptions);
  /** Validates the next chunk; returns its observations in stream order. */
  feed(input: Uint8Array | ArrayBuffer | ArrayBufferView | string): SseObservation[];
  /** End of the stream: returns what it leaves undone (partial line, unterminated event). */
  end(): SseObservation[];
  /** Starts over with a new stream (the next response). */
  reset(): void;
  readonly freed: boolean;
  free(): void;
  [Symbol.dispose](): void;
}

/**
 * True iff this Content-Type header value makes a response an event stream, as browsers decide:
 * the MIME essence is text/event-stream, case-insensitive, parameters ignored. '' / null: false.
 */
export function isEventStream(contentType: string | null | undefined): boolean;

/** Optional reconnection policy: the defaults are exactly a browser's (3000 ms, for ever). */
export interface ReconnectPolicy {
  /** Reconnection time before the server sends `retry`, in ms. Default 3000. */
  initialDelay?: number;
  /** After k consecutive failed attempts the wait is multiplied by this^k. Default 1 (off). */
  backoffMultiplier?: number;
  /** Cap of the backed-off wait, in ms (never below the server's `retry`). Default 30000. */
  maxDelay?: number;
  /** Extra random wait, a fraction in [0, 1] of the wait. Default 0 (off). */
  jitter?: number;
  /** Give up (readyState CLOSED, failureReason 'attempts_exhausted') after this many consecutive
   *  failed attempts; 0, the default, never gives up. */
  maxAttempts?: number;
  /** Seed of the jitter generator (default: random). */
  seed?: number;
}

export type HeadersSource = HeadersInit | (() => HeadersInit | Promise<HeadersInit>);
export type BodySource = BodyInit | null | (() => BodyInit | null | Promise<BodyInit | null>);

export interface EventSourceClientOptions {
  /** EventSource's: fetch with credentials 'include' (else 'same-origin'). */
  withCredentials?: boolean;
  /** HTTP method. Default 'GET'. */
  method?: string;
  /** Request headers, or a function called before every (re)connection (token refresh). A
   *  function that throws counts as a network error: the client reconnects. `Accept` and
   *  `Last-Event-ID` are set by the client. */
  headers?: HeadersSource;
  /** Request body (sent on every connection, so not a one-shot stream), or a function making it. */
  body?: BodySource;
  /** Backoff, jitter and attempt limit; without it, exactly a browser's behaviour. */
  reconnect?: ReconnectPolicy;
  /** Aborting it is close(): readyState CLOSED, no error event. */
  signal?: AbortSignal;
  /** A saved position: sent as Last-Event-ID on the first request. No NUL, CR or LF. */
  lastEventId?: string;
  /** Parser limits (SseParserOptions); exceeding one drops the connection and reconnects. */
  maxLineLength?: number;
  maxEventSize?: number;
  /** The fetch to use (default globalThis.fetch), e.g. one that logs or adds a dispatcher. */
  fetch?: typeof fetch;
}

/**
 * An EventSource on fetch, driven by ssekit's reconnection state machine (sse::reconnector in
 * WebAssembly): same events (MessageEvent with data, lastEventId, origin, type), same open /
 * error / readyState sequence, Last-Event-ID resume, `retry`, stop on 204 or any non-200, fail on
 * a Content-Type other than text/event-stream. Works in browsers and Node 20+.
 */
export class EventSourceClient extends EventTarget {
  constructor(url: string | URL, options?: EventSourceClientOptions);
  static readonly CONNECTING: 0;
  static readonly OPEN: 1;
  static readonly CLOSED: 2;
  readonly CONNECTING: 0;
  readonly OPEN: 1;
  readonly CLOSED: 2;
  /** The resolved URL. */
  readonly url: string;
  readonly withCredentials: boolean;
  readonly readyState: 0 | 1 | 2;
  /** The last event ID string, sent as Last-Event-ID when reconnecting. */
  readonly lastEventId: string;
  /** The current reconnection time in ms (the server's `retry`, else initialDelay); null once closed. */
  readonly reconnectionTime: number | null;
  /** Why the connection failed for good, or null (open, reconnecting, or close()d). */
  readonly failureReason: 'bad_status' | 'not_event_stream' | 'aborted' | 'attempts_exhausted' | null;
  onopen: ((this: EventSourceClient, ev: Event) => unknown) | null;
  onmessage: ((this: EventSourceClient, ev: MessageEvent<string>) => unknown) | null;
  onerror: ((this: EventSourceClient, ev: Event) => unknown) | null;
  /** Closes for good without an error event: aborts the request, cancels the timer. */
  close(): void;
}
