// The hand-written index.d.ts type-checks against test/types/usage.ts (TypeScript from
// devDependencies; skipped, saying so, when `npm install` has not been run).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const tsc = `${root}node_modules/typescript/bin/tsc`;
const skip = existsSync(tsc) ? false : 'typescript not installed: run npm install in wasm/';

test('index.d.ts type-checks the documented usage and rejects misuse', { skip }, () => {
  const r = spawnSync(process.execPath, [tsc, '--noEmit', '--strict', '--target', 'es2022', '--module', 'nodenext',
    '--moduleResolution', 'nodenext', '--lib', 'esnext,dom', '--types', '', 'test/types/usage.ts'], { cwd: root, encoding: 'utf8' });
  assert.equal(r.status, 0, `tsc failed:\n${r.stdout}${r.stderr}`);
});
