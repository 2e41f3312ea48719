// Bytes in, JS event objects out: ssekit's wasm SseParser against eventsource-parser (npm) on the
// same input in the same process. eventsource-parser takes strings, so its side includes a
// streaming TextDecoder; ours includes the copy into wasm memory and building the strings.
//
//   node bench/bench.js [--seconds S] [--rounds N] [--inputs bench|sse-bench|all] [--json]
//
// (from wasm/, after `npm install` and the wasm build). --inputs picks the streams (inputs.js):
// this benchmark's own (the default), sse-bench's byte for byte, or both. --json prints one JSON
// object instead of the text report (bench/compare reads it).
import { createParser } from 'eventsource-parser';
import { SseParser } from '@ssekit/wasm';

import { benchLarge, benchSmall, chunk, sseBenchLarge, sseBenchSmall } from './inputs.js';

function option(name, fallback) {
  const at = process.argv.indexOf(name);
  return at === -1 ? fallback : process.argv[at + 1];
}
if (process.argv.includes('--help')) {
  console.log('usage: node bench/bench.js [--seconds S] [--rounds N] [--inputs bench|sse-bench|all] [--json]');
  process.exit(0);
}
const seconds = Number(option('--seconds', 2)) || 2;
const rounds = Number(option('--rounds', 3)) || 3;
const inputs = option('--inputs', 'bench');
const json = process.argv.includes('--json');
if (!['bench', 'sse-bench', 'all'].includes(inputs)) {
  console.error(`bench.js: --inputs must be bench, sse-bench or all (got ${inputs})`);
  process.exit(2);
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

const make = ({ bytes, events }) => ({ out: chunk(bytes), bytes: bytes.length, events });
const cases = [];
if (inputs !== 'sse-bench') {
  cases.push(['bench', 'small', 'small events (id, event, 64 B data), 16 KiB chunks', make(benchSmall())]);
  cases.push(['bench', 'large', '16 KiB-data events, 16 KiB chunks', make(benchLarge())]);
}
if (inputs !== 'bench') {
  cases.push(['sse-bench', 'small', "sse-bench's small events (id, 4 types, 64 B data), 16 KiB chunks", make(sseBenchSmall())]);
  cases.push(['sse-bench', 'large16k', "sse-bench's 16 KiB-data events (id, 4 types), 16 KiB chunks", make(sseBenchLarge())]);
}

const report = { node: process.version, seconds, rounds, cases: [] };
if (!json) console.log(`node ${process.version}, ${seconds} s per measurement, best of ${rounds} (wall clock and CPU time)`);
for (const [family, input, name, data] of cases) {
  const a = runSsekit(data.out);
  const b = runEventsourceParser(data.out);
  if (a.events !== b.events || a.check !== b.check || a.events !== data.events) {
    throw new Error(`${name}: parsers disagree ${JSON.stringify([a, b, data.events])}`);
  }
  const best = { ssekit: null, esp: null };
  for (let round = 0; round < rounds; round++) {
    for (const [key, run] of [['ssekit', runSsekit], ['esp', runEventsourceParser]]) {
      const r = measure(run, data);
      if (!best[key]) best[key] = r;
      for (const field of Object.keys(r)) best[key][field] = Math.max(best[key][field], r[field]);
    }
  }
  const ratioWall = best.ssekit.mbPerSecond / best.esp.mbPerSecond;
  const ratioCpu = best.ssekit.cpuMbPerSecond / best.esp.cpuMbPerSecond;
  report.cases.push({ family, input, name, bytes: data.bytes, events: data.events, ssekit: best.ssekit, esp: best.esp, ratioWall, ratioCpu });
  if (json) continue;
  const fmt = (r, cpu) =>
    cpu
      ? `${(r.cpuEventsPerSecond / 1e6).toFixed(3)} M events/s, ${r.cpuMbPerSecond.toFixed(0)} MB/s per CPU second`
      : `${(r.eventsPerSecond / 1e6).toFixed(3)} M events/s, ${r.mbPerSecond.toFixed(0)} MB/s wall clock`;
  console.log(`${name} (${(data.bytes / 1e6).toFixed(1)} MB, ${data.events} events)`);
  for (const cpu of [false, true]) {
    console.log(`  @ssekit/wasm        ${fmt(best.ssekit, cpu)}`);
    console.log(`  eventsource-parser  ${fmt(best.esp, cpu)}`);
    console.log(`  ratio               ${(cpu ? ratioCpu : ratioWall).toFixed(2)}x`);
  }
}
if (json) console.log(JSON.stringify(report, null, 2));
