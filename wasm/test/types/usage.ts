// Compiled with tsc --noEmit (test/types.test.js): the hand-written index.d.ts must accept what
// the README shows and reject misuse (the @ts-expect-error lines fail the build if they compile).
import { SseParser, SseParserStream, SseError, encode, wasmMemoryBytes } from '@ssekit/wasm';
import type { SseEvent, SseRecord, SseErrorCode } from '@ssekit/wasm';

const parser = new SseParser({ maxLineLength: 1 << 20, maxEventSize: Infinity });
const events: SseEvent[] = parser.feed(new Uint8Array([100, 10, 10]));
const more: SseEvent[] = parser.feed('data: x\n\n');
const records: SseRecord[] = parser.feedRecords('retry: 5\n');
for (const r of records) {
  if ('retry' in r) { const n: number = r.retry; void n; }
  else if ('comment' in r) { const c: string = r.comment; void c; }
  else { const t: string = r.type + r.data + r.lastEventId; void t; }
}
const id: string = parser.lastEventId;
const retry: number | undefined = parser.retry;
const exact: bigint | undefined = parser.retryExact;
const error: SseError | null = parser.error;
parser.end();
parser.reset();
parser[Symbol.dispose]();
parser.free();
const freed: boolean = parser.freed;

try {
  encode({ type: 'update', data: 'a\nb', id: '7', retry: 10n });
} catch (e) {
  if (e instanceof SseError) { const code: SseErrorCode = e.code; const n: number = e.errno; void code; void n; }
}
const text: string = encode({ data: '' });
const stream: TransformStream<Uint8Array | ArrayBuffer | ArrayBufferView | string, SseEvent> = new SseParserStream();
const bytes: number = wasmMemoryBytes();

// @ts-expect-error feed takes bytes or a string
parser.feed(42);
// @ts-expect-error limits are numbers
new SseParser({ maxLineLength: '10' });
// @ts-expect-error data is a string
encode({ data: 5 });
// @ts-expect-error lastEventId is read-only
parser.lastEventId = 'x';

void [events, more, id, retry, exact, error, freed, text, stream, bytes];

// EventSourceClient, SseValidator, isEventStream
import { EventSourceClient, SseValidator, isEventStream } from '@ssekit/wasm';
import type { SseObservation } from '@ssekit/wasm';
const client = new EventSourceClient('http://127.0.0.1:8080/events', {
  method: 'POST',
  headers: async () => ({ authorization: 'Bearer t' }),
  body: '{}',
  withCredentials: true,
  reconnect: { backoffMultiplier: 2, jitter: 0.2, maxAttempts: 5 },
  signal: new AbortController().signal,
});
client.onmessage = (e) => { const d: string = e.data + e.lastEventId + e.origin; void d; };
client.addEventListener('update', (e) => void e);
const state: 0 | 1 | 2 = client.readyState;
void state;
client.close();
// @ts-expect-error readyState is read-only
client.readyState = 1;
const validator: SseValidator = await SseValidator.create();
await SseValidator.load();
new SseValidator().free();
const observations: SseObservation[] = validator.feed('Data: x\n');
void observations;
validator.free();
const ok: boolean = isEventStream('text/event-stream');
void ok;
