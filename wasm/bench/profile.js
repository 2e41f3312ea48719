// Where a parser's time goes on small events: runs ONE parser (ssekit's wasm SseParser or npm
// eventsource-parser) alone on bench.js's small-event input for a while, prints its process CPU
// per event, and summarises a V8 CPU profile of such a run by function (self time).
//
//   node --cpu-prof --cpu-prof-dir=DIR bench/profile.js run ssekit|esp [--seconds S]
//   node bench/profile.js summary DIR [--top N]
//
// (from wasm/, after `npm install` and the wasm build). docs/BENCHMARKS.md quotes the split.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

import { createParser } from 'eventsource-parser';
import { SseParser } from '@ssekit/wasm';

import { benchSmall, chunk } from './inputs.js';

const usage = 'usage: node [--cpu-prof --cpu-prof-dir=DIR] bench/profile.js run ssekit|esp [--seconds S]\n' +
  '       node bench/profile.js summary DIR [--top N]';
function option(name, fallback) {
  const at = process.argv.indexOf(name);
  return at === -1 ? fallback : process.argv[at + 1];
}
const [command, what] = process.argv.slice(2);
if (process.argv.includes('--help') || process.argv.includes('-h')) {
  console.log(usage);
  process.exit(0);
}

function run(parser, seconds) {
  const input = chunk(benchSmall().bytes);
  const start = performance.now();
  const cpuStart = process.cpuUsage();
  let events = 0;
  while (performance.now() - start < seconds * 1000) {
    if (parser === 'ssekit') {
      const p = new SseParser();
      for (const c of input) events += p.feed(c).length;
      p.end();
      p.free();
    } else {
      let batch = [];
      const p = createParser({ onEvent: (e) => batch.push(e) });
      const decoder = new TextDecoder();
      for (const c of input) {
        p.feed(decoder.decode(c, { stream: true }));
        events += batch.length;
        batch = [];
      }
    }
  }
  const cpu = process.cpuUsage(cpuStart);
  console.log(`${parser}: ${events} events, ${(((cpu.user + cpu.system) * 1000) / events).toFixed(1)} ns of process CPU per event`);
}

// Self time per function (name and file), from the newest .cpuprofile in `dir`.
function summary(dir, top) {
  const files = readdirSync(dir).filter((f) => f.endsWith('.cpuprofile')).sort();
  if (files.length === 0) throw new Error(`no .cpuprofile in ${dir} (run with --cpu-prof --cpu-prof-dir=${dir})`);
  const profile = JSON.parse(readFileSync(join(dir, files[files.length - 1]), 'utf8'));
  const time = new Map();
  profile.samples.forEach((node, i) => time.set(node, (time.get(node) ?? 0) + (profile.timeDeltas[i] ?? 0)));
  const self = new Map();
  let total = 0;
  for (const node of profile.nodes) {
    const t = time.get(node.id) ?? 0;
    total += t;
    const key = `${node.callFrame.functionName || '(anonymous)'} ${node.callFrame.url.split('/').pop()}`.trim();
    self.set(key, (self.get(key) ?? 0) + t);
  }
  for (const [key, t] of [...self].sort((a, b) => b[1] - a[1]).slice(0, top))
    console.log(`${((100 * t) / total).toFixed(1).padStart(5)} %  ${key}`);
}

if (command === 'run' && (what === 'ssekit' || what === 'esp')) run(what, Number(option('--seconds', 4)) || 4);
else if (command === 'summary' && what) summary(what, Number(option('--top', 12)) || 12);
else {
  console.error(usage);
  process.exit(2);
}
