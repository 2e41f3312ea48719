// EventSourceClient: an EventSource (WHATWG HTML 9.2) on fetch, for browsers and Node 20+.
//
// The connection state machine is proto's sse::reconnector compiled into the module (bridge.cpp's
// sse_client_* functions), the same code the native client runs: this file only owns the I/O
// (fetch, the body reader, one timer) and turns the reconnector's actions into DOM events. So
// Last-Event-ID, `retry`, the 204 stop and the Content-Type check behave as the spec says, and
// the extras (method, headers, body, backoff with jitter, attempt limit, AbortSignal) are options.
import { SseParser, internal } from './parser.js';

const { wasm, put, text } = internal;
const {
  _sse_action: sseAction,
  _sse_client_new: clientNew,
  _sse_client_free: clientFree,
  _sse_client_start: clientStart,
  _sse_client_response: clientResponse,
  _sse_client_end_of_stream: clientEndOfStream,
  _sse_client_network_error: clientNetworkError,
  _sse_client_timer: clientTimer,
  _sse_client_close: clientClose,
  _sse_client_update: clientUpdate,
  _sse_client_reset_parser: clientResetParser,
  _sse_client_set_last_event_id: clientSetLastEventId,
  _sse_client_ready_state: clientReadyState,
  _sse_client_reconnection_time: clientReconnectionTime,
} = wasm;

// The action block (bridge.cpp's action_block), as word indexes.
const A = sseAction() >>> 2;
const FIRE_ERROR = A + 1, SEND_ID = A + 2, ID = A + 3, ID_BYTES = A + 4, REASON = A + 5;
const WHEN_LOW = A + 6, WHEN_HIGH = A + 7;
// sse::action_kind
const CONNECT = 1, OPEN = 2, WAIT = 3, FAIL = 4;
// sse::fail_reason, by value
const REASONS = [null, 'bad_status', 'not_event_stream', 'aborted', 'attempts_exhausted'];
const MAX_TIMEOUT = 2 ** 31 - 1;  // setTimeout's limit; a later deadline is re-armed in steps

/** Whole milliseconds on a monotonic clock: the reconnector's `now`. */
const now = () => Math.floor(performance.now());

/** A header value is a byte string: send the id's UTF-8 bytes, as EventSource does. */
function utf8ByteString(value) {
  const bytes = new TextEncoder().encode(value);
  let s = '';
  for (let i = 0; i < bytes.length; i++) s += String.fromCharCode(bytes[i]);
  return s;
}

function nonNegative(value, name, fallback) {
  if (value === undefined) return fallback;
  if (typeof value !== 'number' || !(value >= 0)) {
    throw new RangeError(`EventSourceClient: reconnect.${name} must be a non-negative number`);
  }
  return value;
}

function randomSeed() {
  const words = new Uint32Array(2);
  globalThis.crypto.getRandomValues(words);
  return words;
}

// Frees the wasm state of a client that was garbage-collected without close().
const registry = new FinalizationRegistry(({ rc, parser }) => {
  clientFree(rc);
  parser.free();
});

/** See index.d.ts for the contract. */
export class EventSourceClient extends EventTarget {
  static CONNECTING = 0;
  static OPEN = 1;
  static CLOSED = 2;

  #url;
  #withCredentials;
  #options;
  #fetch;
  #rc = 0;
  #parser = null;
  #readyState = 0;
  #origin = '';
  #controller = null;
  #timer = null;
  #generation = 0;  // bumped per connection and by close(): stale async work sees a new value
  #failureReason = null;
  #lastEventId = '';
  #handlers = { open: null, message: null, error: null };

  constructor(url, options = {}) {
    super();
    try {
      this.#url = new URL(url, globalThis.location?.href).href;
    } catch {
      throw new SyntaxError(`EventSourceClient: '${url}' is not a valid URL (a relative URL needs a page to resolve against)`);
    }
    if (options === null || typeof options !== 'object') throw new TypeError('EventSourceClient: options must be an object');
    const { method = 'GET', headers, body, withCredentials = false, reconnect = {}, signal, lastEventId } = options;
    if (typeof method !== 'string') throw new TypeError('EventSourceClient: method must be a string');
    this.#fetch = options.fetch ?? globalThis.fetch;
    if (typeof this.#fetch !== 'function') throw new TypeError('EventSourceClient: no fetch(): pass options.fetch');
    this.#withCredentials = Boolean(withCredentials);
    this.#options = { method, headers, body };

    const maxAttempts = reconnect.maxAttempts ?? 0;
    if (!Number.isInteger(maxAttempts) || maxAttempts < 0 || maxAttempts > 0xffffffff) {
      throw new RangeError('EventSourceClient: reconnect.maxAttempts must be a non-negative integer (0: never give up)');
    }
    const seed = reconnect.seed === undefined ? randomSeed() : [reconnect.seed >>> 0, Math.floor(reconnect.seed / 2 ** 32) >>> 0];
    this.#parser = new SseParser({ maxLineLength: options.maxLineLength, maxEventSize: options.maxEventSize });
    this.#rc = clientNew(
      nonNegative(reconnect.initialDelay, 'initialDelay', -1),
      nonNegative(reconnect.backoffMultiplier, 'backoffMultiplier', 1),
      nonNegative(reconnect.maxDelay, 'maxDelay', 30000),
      nonNegative(reconnect.jitter, 'jitter', 0),
      seed[0], seed[1], maxAttempts);
    if (this.#rc === 0) {
      this.#parser.free();
      throw new RangeError('ssekit: out of wasm memory');
    }
    registry.register(this, { rc: this.#rc, parser: this.#parser }, this);
    if (lastEventId !== undefined && lastEventId !== '') {
      if (typeof lastEventId !== 'string' || clientSetLastEventId(this.#rc, put(lastEventId)) !== 0) {
        this.#release();
        throw new TypeError('EventSourceClient: lastEventId must be a string without NUL, CR or LF');
      }
    }
    if (signal) {
      if (signal.aborted) {
        this.close();
        return;
      }
      signal.addEventListener('abort', () => this.close(), { once: true });
    }
    this.#act(clientStart(this.#rc, now()));
  }

  get url() { return this.#url; }
  get withCredentials() { return this.#withCredentials; }
  get readyState() { return this.#readyState; }
  get CONNECTING() { return 0; }
  get OPEN() { return 1; }
  get CLOSED() { return 2; }

  /** The last event ID string (sent as Last-Event-ID on the next reconnection). */
  get lastEventId() {
    return this.#parser ? this.#parser.lastEventId : this.#lastEventId;
  }

  /** The reconnection time in ms (the server's `retry`, else the initial delay), null once closed. */
  get reconnectionTime() {
    return this.#rc ? clientReconnectionTime(this.#rc) : null;
  }

  /** Why the connection failed for good, once readyState is CLOSED by a failure; else null. */
  get failureReason() { return this.#failureReason; }

  get onopen() { return this.#handlers.open?.fn ?? null; }
  set onopen(fn) { this.#setHandler('open', fn); }
  get onmessage() { return this.#handlers.message?.fn ?? null; }
  set onmessage(fn) { this.#setHandler('message', fn); }
  get onerror() { return this.#handlers.error?.fn ?? null; }
  set onerror(fn) { this.#setHandler('error', fn); }

  /** Closes for good, without an error event; aborts the request and cancels the timer. */
  close() {
    if (this.#readyState === 2 && this.#rc === 0) return;
    this.#generation++;
    this.#readyState = 2;
    if (this.#rc) clientClose(this.#rc);
    this.#release();
  }

  // An event handler attribute: one listener, added when first set, keeping its place in the
  // listener order when the handler is replaced (HTML's event handler semantics).
  #setHandler(type, fn) {
    const entry = this.#handlers[type];
    const handler = typeof fn === 'function' ? fn : null;
    if (entry) {
      if (handler) {
        entry.fn = handler;
      } else {
        this.removeEventListener(type, entry.listener);
        this.#handlers[type] = null;
      }
    } else if (handler) {
      const added = { fn: handler, listener: (event) => added.fn.call(this, event) };
      this.addEventListener(type, added.listener);
      this.#handlers[type] = added;
    }
  }

  // Frees the wasm state and stops all I/O. Keeps lastEventId readable.
  #release() {
    this.#controller?.abort();
    this.#controller = null;
    if (this.#timer !== null) clearTimeout(this.#timer);
    this.#timer = null;
    if (this.#rc !== 0) {
      registry.unregister(this);
      this.#lastEventId = this.#parser.lastEventId;
      clientFree(this.#rc);
      this.#parser.free();
      this.#rc = 0;
      this.#parser = null;
    }
  }

  // Carries out the action the reconnector just returned (its details are in the action block).
  #act(kind) {
    const u32 = internal.u32();
    const fireError = u32[FIRE_ERROR] === 1;
    const lastEventId = u32[SEND_ID] === 1 ? text(u32[ID], u32[ID_BYTES]) : null;
    const reason = REASONS[u32[REASON]] ?? null;
    const when = u32[WHEN_HIGH] * 2 ** 32 + u32[WHEN_LOW];
    this.#readyState = clientReadyState(this.#rc);
    if (kind === FAIL) {
      this.#failureReason = reason;
      this.#generation++;  // whatever I/O is still in flight belongs to a dead connection
      this.#release();
    }
    const generation = this.#generation;
    if (fireError) this.dispatchEvent(new Event('error'));
    if (generation !== this.#generation) return;  // close() from an error listener
    if (kind === CONNECT) {
      clientResetParser(this.#rc, internal.parserAddress(this.#parser));
      this.#connect(lastEventId);
    } else if (kind === OPEN) {
      this.dispatchEvent(new Event('open'));
    } else if (kind === WAIT) {
      this.#arm(when);
    }
  }

  #arm(when) {
    const delay = Math.min(Math.max(0, when - now()), MAX_TIMEOUT);
    this.#timer = setTimeout(() => {
      this.#timer = null;
      if (this.#rc !== 0) this.#act(clientTimer(this.#rc, now()));
    }, delay);
  }

  async #requestInit(lastEventId, signal) {
    const { method, headers, body } = this.#options;
    const h = new Headers(typeof headers === 'function' ? await headers() : headers);
    h.set('accept', 'text/event-stream');
    if (lastEventId !== null) h.set('last-event-id', utf8ByteString(lastEventId));
    return {
      method,
      headers: h,
      body: typeof body === 'function' ? await body() : body,
      signal,
      // EventSource's request: CORS, "use-credentials" only with withCredentials, no cache.
      mode: 'cors',
      credentials: this.#withCredentials ? 'include' : 'same-origin',
      cache: 'no-store',
      redirect: 'follow',
    };
  }

  // One connection: the request, the response check, the body fed to the parser, the end.
  async #connect(lastEventId) {
    const generation = ++this.#generation;
    const controller = new AbortController();
    this.#controller = controller;
    const stale = () => generation !== this.#generation;
    let response;
    try {
      const init = await this.#requestInit(lastEventId, controller.signal);
      if (stale()) return;
      response = await this.#fetch.call(globalThis, this.#url, init);
    } catch {
      // A network error, or headers() / body() threw: reconnect (with backoff if configured).
      if (!stale()) this.#act(clientNetworkError(this.#rc, now()));
      return;
    }
    if (stale()) {
      response.body?.cancel().catch(() => {});
      return;
    }
    this.#origin = new URL(response.url || this.#url).origin;
    const contentType = response.headers.get('content-type') ?? '';
    const kind = clientResponse(this.#rc, now(), response.status, contentType === '' ? 0 : put(contentType));
    this.#act(kind);
    if (kind !== OPEN || stale() || !response.body) {
      response.body?.cancel().catch(() => {});
      if (kind === OPEN && !stale()) this.#act(clientEndOfStream(this.#rc, now()));
      return;
    }
    const reader = response.body.getReader();
    try {
      for (;;) {
        const { done, value } = await reader.read();
        if (stale()) return;
        if (done) break;
        const events = this.#parser.feed(value);  // an SseError (a limit) drops the connection
        clientUpdate(this.#rc, internal.parserAddress(this.#parser));
        for (let i = 0; i < events.length; i++) {
          const e = events[i];
          this.dispatchEvent(new MessageEvent(e.type, { data: e.data, lastEventId: e.lastEventId, origin: this.#origin }));
          if (stale()) return;  // close() from a listener
        }
      }
    } catch {
      if (stale()) return;
      reader.cancel().catch(() => {});
      this.#act(clientNetworkError(this.#rc, now()));
      return;
    }
    this.#parser.end();
    this.#act(clientEndOfStream(this.#rc, now()));
  }
}
