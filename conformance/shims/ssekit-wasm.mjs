#!/usr/bin/env node
// Shim: ssekit's WebAssembly parser (wasm/index.js, module built by `cmake --workflow --preset
// wasm` into wasm/dist/) as a parser command for `sse-conformance parser`.
//
//   sse-conformance parser --cmd 'node conformance/shims/ssekit-wasm.mjs'
import { fileURLToPath } from 'node:url';
import { existsSync } from 'node:fs';
import path from 'node:path';

if (process.argv.includes('--help')) {
  console.log('usage: node ssekit-wasm.mjs < stream   (prints sse-parse JSON lines)');
  process.exit(0);
}
const wasmDir = path.join(path.dirname(fileURLToPath(import.meta.url)), '../../wasm');
if (!existsSync(path.join(wasmDir, 'dist'))) {
  console.error('ssekit-wasm shim: wasm/dist/ is missing; build it with: cmake --workflow --preset wasm');
  process.exit(2);
}
const { SseParser } = await import(path.join(wasmDir, 'index.js'));

const parser = new SseParser({ maxLineLength: Infinity, maxEventSize: Infinity });
const print = (records) => {
  const lines = [];
  for (const r of records) {
    if ('retry' in r) lines.push(`{"retry":${String(r.retryExact ?? r.retry)}}`);
    else if ('data' in r) lines.push(JSON.stringify({ type: r.type, data: r.data, id: r.lastEventId }));
  }
  if (lines.length) process.stdout.write(lines.join('\n') + '\n');
};
process.stdin.on('data', (chunk) => print(parser.feedRecords(chunk)));
process.stdin.on('end', () => { parser.end(); parser.free(); });
