// Bytes in, JS event objects out: ssekit's wasm SseParser against eventsource-parser (npm) on the
// same input in the same process. eventsource-parser takes strings, so its side includes a
// streaming TextDecoder; ours includes the copy into wasm memory and building the strings.
//
//   node bench/bench.js [--seconds S]      (from wasm/, after `npm install` and the wasm build)
import { createParser } from 'eventsource-parser';
import { SseParser } from '@ssekit/wasm';

const seconds = Number(process.argv[process.argv.indexOf('--seconds') + 1]) || 2;
const CHUNK = 16 * 1024;

function chunks(text) {
  const bytes = new TextEncoder().encode(text);
  const out = [];
  for (let i = 0; i < bytes.length; i += CHUNK) out.push(bytes.slice(i, i + CHUNK));
  return { out, bytes: bytes.length };
}

function smallEvents(n) {
  const data = 'x'.repeat(64);
  let s = '';
  for (let i = 0; i < n; i++) s += `id: ${i}\nevent: update\ndata: ${data}\n\n`;
  return s;
}

function largeEvents(n) {
  const data = 'abcdefghijklmnop'.repeat(1024);  // 16 KiB
  let s = '';
  for (let i = 0; i < n; i++) s += `id: ${i}\ndata: ${data}\n\n`;
  return s;
}

function runSsekit(input) {
  const parser = new SseParser();
  let events = 0;
  let check = 0;
  for (const c of input) {
    const got = parser.feed(c);
    events += got.length;
    for (let i = 0; i < got.length; i++) check += got[i].data.length;
  }
  parser.end();
  parser.free();
  return { events, check };
}

function runEventsourceParser(input) {
  let batch = [];
  const parser = createParser({ onEvent: (e) => batch.push(e) });
  const decoder = new TextDecoder();
  let events = 0;
  let check = 0;
  for (const c of input) {
    parser.feed(decoder.decode(c, { stream: true }));
    events += batch.length;
    for (let i = 0; i < batch.length; i++) check += batch[i].data.length;
    batch = [];
  }
  parser.feed(decoder.decode());
  parser.reset({ consume: false });
  return { events, check };
}

// Both wall-clock and CPU time (user + system of this process): on a shared, busy machine the
// wall clock counts time the process waited for a core, so the CPU-time rates are the steadier
// comparison; the two parsers are measured alternately in the same process either way.
function measure(run, input) {
  const start = performance.now();
  const cpuStart = process.cpuUsage();
  let runs = 0;
  let events = 0;
  while (performance.now() - start < seconds * 1000) {
    events += run(input.out).events;
    runs++;
  }
  const s = (performance.now() - start) / 1000;
  const cpu = process.cpuUsage(cpuStart);
  const cpuSeconds = (cpu.user + cpu.system) / 1e6;
  return {
    eventsPerSecond: events / s,
    mbPerSecond: (input.bytes * runs) / s / 1e6,
    cpuEventsPerSecond: events / cpuSeconds,
    cpuMbPerSecond: (input.bytes * runs) / cpuSeconds / 1e6,
  };
}

const cases = [
  ['small events (id, event, 64 B data), 16 KiB chunks', chunks(smallEvents(50000))],
  ['16 KiB-data events, 16 KiB chunks', chunks(largeEvents(512))],
];
console.log(`node ${process.version}, ${seconds} s per measurement, best of 3 (wall clock and CPU time)`);
for (const [name, input] of cases) {
  const a = runSsekit(input.out);
  const b = runEventsourceParser(input.out);
  if (a.events !== b.events || a.check !== b.check) throw new Error(`${name}: parsers disagree ${JSON.stringify([a, b])}`);
  const best = { ssekit: null, esp: null };
  for (let round = 0; round < 3; round++) {
    for (const [key, run] of [['ssekit', runSsekit], ['esp', runEventsourceParser]]) {
      const r = measure(run, input);
      if (!best[key]) best[key] = r;
      for (const field of Object.keys(r)) best[key][field] = Math.max(best[key][field], r[field]);
    }
  }
  const fmt = (r, cpu) =>
    cpu
      ? `${(r.cpuEventsPerSecond / 1e6).toFixed(3)} M events/s, ${r.cpuMbPerSecond.toFixed(0)} MB/s per CPU second`
      : `${(r.eventsPerSecond / 1e6).toFixed(3)} M events/s, ${r.mbPerSecond.toFixed(0)} MB/s wall clock`;
  console.log(`${name} (${(input.bytes / 1e6).toFixed(1)} MB, ${a.events} events)`);
  for (const cpu of [false, true]) {
    const ratio = cpu ? best.ssekit.cpuMbPerSecond / best.esp.cpuMbPerSecond : best.ssekit.mbPerSecond / best.esp.mbPerSecond;
    console.log(`  @ssekit/wasm        ${fmt(best.ssekit, cpu)}`);
    console.log(`  eventsource-parser  ${fmt(best.esp, cpu)}`);
    console.log(`  ratio               ${ratio.toFixed(2)}x`);
  }
}
