// Headless Chromium for the browser suites, driven by playwright-core with the system's Chromium
// (SSE_CHROMIUM, default /usr/bin/chromium; a browser is never downloaded). `browserSkip` says why
// a suite cannot run: no sse-server, no Chromium, or playwright-core not installed.
import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

import { serverSkip } from '../server.js';

export const chromiumPath = process.env.SSE_CHROMIUM ?? '/usr/bin/chromium';
export const webDir = fileURLToPath(new URL('../../web/', import.meta.url));

let playwright = null;
try {
  playwright = await import('playwright-core');
} catch {
  // reported through browserSkip
}

export const browserSkip =
  serverSkip ||
  (existsSync(chromiumPath) ? false : `Chromium not found at ${chromiumPath}: install Debian's chromium or set SSE_CHROMIUM`) ||
  (playwright ? false : 'playwright-core is not installed: run npm install in wasm/') ||
  (existsSync(join(webDir, 'pkg', 'index.js')) ? false : 'wasm/web/pkg/ is missing: build the wasm preset (target sse_wasm) first');

/** A headless Chromium with `extraArgs` (e.g. a certificate to trust); close it with browser.close(). */
export function launch(extraArgs = []) {
  return playwright.chromium.launch({
    executablePath: chromiumPath,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking',
      '--disable-component-update', '--disable-sync', '--disable-quic', ...extraArgs],
    timeout: 30000,
  });
}

/** Where screenshots go: SSE_ARTIFACTS_DIR (ctest sets build/<preset>/artifacts), created. */
export function artifactsDir() {
  const dir = process.env.SSE_ARTIFACTS_DIR ?? fileURLToPath(new URL('../../../build/wasm/artifacts/', import.meta.url));
  mkdirSync(dir, { recursive: true });
  return dir;
}

/** Fails the page's test on uncaught page errors instead of letting them pass silently. */
export function collectPageErrors(page) {
  const errors = [];
  page.on('pageerror', (error) => errors.push(String(error)));
  return errors;
}
