#!/usr/bin/env node
// Shim: runs the npm package `eventsource-parser` (installed under wasm/node_modules) as a
// parser command for `sse-conformance parser`: reads an event stream on stdin, prints sse-parse's
// JSON lines ({"type","data","id"} per event, {"retry":N} per reconnection time) on stdout.
//
//   sse-conformance parser --cmd 'node conformance/shims/eventsource-parser.mjs'
//
// The package reports an event's own `id` field, not the stream's last event ID, so the shim
// keeps the last event ID itself (as EventSource does). What it cannot see it does not invent: an
// `id` in a block without data is never reported by the package, so such ids are lost here.
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import path from 'node:path';

if (process.argv.includes('--help')) {
  console.log('usage: node eventsource-parser.mjs < stream   (prints sse-parse JSON lines)');
  process.exit(0);
}
const here = path.dirname(fileURLToPath(import.meta.url));
const require = createRequire(path.join(here, '../../wasm/package.json'));
const { createParser } = await import(require.resolve('eventsource-parser'));

let lastId = '';
const out = [];
const parser = createParser({
  onEvent(e) {
    if (e.id !== undefined) lastId = e.id;
    out.push(JSON.stringify({ type: e.event ?? 'message', data: e.data, id: lastId }));
  },
  onRetry(ms) { out.push(JSON.stringify({ retry: ms })); },
});
const decoder = new TextDecoder('utf-8');  // replacement, BOM stripped: as the spec decodes
process.stdin.on('data', (chunk) => {
  parser.feed(decoder.decode(chunk, { stream: true }));
  if (out.length) { process.stdout.write(out.join('\n') + '\n'); out.length = 0; }
});
process.stdin.on('end', () => {
  parser.feed(decoder.decode());
  // End of stream: the package holds back a trailing CR (it may be half a CRLF) until told.
  parser.reset({ consume: true });
  if (out.length) process.stdout.write(out.join('\n') + '\n');
});
