// SseValidator: sse::validator (proto/) in WebAssembly. Bytes in, graded observations out, the
// same codes, offsets and messages as `sse-parse --validate`.
//
// The validator is a module of its own (dist/ssekit-validator.mjs, with its own wasm memory),
// imported on first use: its rules and English messages are a third of the core's size, and only
// the inspector and tools need them. SseValidator.load() / SseValidator.create() import it; the
// constructor works once it is loaded.
import { internal } from './parser.js';

const RECORD_OBSERVATION = 3;
const SEVERITIES = ['info', 'warning', 'error'];

/** The loaded validator module: its exports and its own memory helpers. */
let mod = null;
let loading = null;

async function instantiate() {
  const { default: createSsekitValidator } = await import('../dist/ssekit-validator.mjs');
  const wasm = await createSsekitValidator();
  const S = wasm._sse_output() >>> 2;
  const encoder = new TextEncoder();
  const decoder = new TextDecoder('utf-8', { ignoreBOM: true });
  let inputAddress = 0;
  let inputSize = 0;
  const m = {
    wasm,
    registry: new FinalizationRegistry((address) => wasm._sse_validator_free(address)),
    /** Copies `input` (bytes or a string, as UTF-8) into this module's input buffer; its size. */
    put(input) {
      let bytes = input;
      const max = typeof input === 'string' ? input.length * 3 : undefined;
      if (max === undefined && !(bytes instanceof Uint8Array)) {
        if (ArrayBuffer.isView(bytes)) bytes = new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength);
        else if (bytes instanceof ArrayBuffer) bytes = new Uint8Array(bytes);
        else throw new TypeError('SseValidator.feed: expected a Uint8Array, ArrayBuffer(View) or string');
      }
      const n = max ?? bytes.length;
      if (n > inputSize) {
        inputAddress = wasm._sse_input(n);
        if (inputAddress === 0) throw new RangeError('ssekit: out of wasm memory');
        inputSize = n;
      }
      const u8 = wasm.HEAPU8;  // after _sse_input, which may grow memory
      if (max !== undefined) return encoder.encodeInto(input, u8.subarray(inputAddress, inputAddress + max)).written;
      u8.set(bytes, inputAddress);
      return n;
    },
    /** The observations bridge_validator.cpp left in the arena. */
    collect() {
      const u8 = wasm.HEAPU8;
      const u32 = new Uint32Array(u8.buffer);
      const text = (at, bytes) => (bytes === 0 ? '' : decoder.decode(u8.subarray(at, at + bytes)));
      let w = u32[S] >>> 2;
      const end = w + u32[S + 1];
      let at = u32[S + 2];
      const out = [];
      while (w < end) {
        if (u32[w] !== RECORD_OBSERVATION) throw new Error('ssekit: unexpected record in validator output');
        const nameBytes = u32[w + 6], messageBytes = u32[w + 7];
        out.push({
          code: text(at, nameBytes),
          severity: SEVERITIES[u32[w + 2]] ?? 'error',
          offset: u32[w + 4] * 2 ** 32 + u32[w + 3],
          line: u32[w + 5],
          message: text(at + nameBytes, messageBytes),
        });
        at += nameBytes + messageBytes;
        w += 8;
      }
      return out;
    },
  };
  mod = m;
}

/** Incremental event-stream validator; see index.d.ts for the contract. */
export class SseValidator {
  #address;

  /**
   * Loads the validator module (once; later calls return the same promise). Rejects if the
   * module cannot be imported or instantiated; a later call tries again.
   */
  static load() {
    loading ??= instantiate().catch((error) => {
      loading = null;
      throw error;
    });
    return loading;
  }

  /** Loads the module if needed, then constructs a validator. */
  static async create(options = {}) {
    await SseValidator.load();
    return new SseValidator(options);
  }

  /** Needs the module loaded (SseValidator.load() resolved); else throws a TypeError. */
  constructor(options = {}) {
    if (mod === null) {
      throw new TypeError(
        'SseValidator: the validator module is not loaded yet; use `await SseValidator.create(options)` ' +
          '(or `await SseValidator.load()` once before `new SseValidator()`)',
      );
    }
    const maxLineLength = internal.limit(options.maxLineLength, 'maxLineLength');
    const maxEventSize = internal.limit(options.maxEventSize, 'maxEventSize');
    this.#address = mod.wasm._sse_validator_new(maxLineLength, maxEventSize);
    if (this.#address === 0) throw new RangeError('ssekit: out of wasm memory');
    mod.registry.register(this, this.#address, this);
  }

  /** Validates the next chunk; returns its observations in stream order. */
  feed(input) {
    const address = this.#live();
    const n = mod.put(input);
    mod.wasm._sse_validator_feed(address, n);
    return mod.collect();
  }

  /** End of stream: returns what the end leaves undone (a partial line or event). */
  end() {
    mod.wasm._sse_validator_finish(this.#live());
    return mod.collect();
  }

  /** Starts over with a new stream (the next response). */
  reset() {
    mod.wasm._sse_validator_reset(this.#live());
  }

  get freed() {
    return this.#address === 0;
  }

  free() {
    if (this.#address !== 0) {
      mod.registry.unregister(this);
      mod.wasm._sse_validator_free(this.#address);
      this.#address = 0;
    }
  }

  [Symbol.dispose ?? Symbol.for('Symbol.dispose')]() {
    this.free();
  }

  #live() {
    if (this.#address === 0) throw new TypeError('SseValidator: used after free()');
    return this.#address;
  }
}
