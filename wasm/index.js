// @ssekit/wasm: ssekit's Server-Sent Events core (sse::proto compiled to WebAssembly) for browsers
// and Node: the parser, the encoder, the validator and an EventSource-compatible client. The
// validator's module is imported on first use (SseValidator.create() / SseValidator.load()).
export { SseParser, SseParserStream, SseError, encode, isEventStream, wasmMemoryBytes } from './src/parser.js';
export { SseValidator } from './src/validator.js';
export { EventSourceClient } from './src/event_source_client.js';
