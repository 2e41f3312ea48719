// The demo page over HTTPS: sse-server with --tls-cert (test certificates made now by
// tests/tls/make-certs), Chromium trusting exactly that certificate's public key
// (--ignore-certificate-errors-spki-list, computed with openssl), never with certificate errors
// or web security turned off. The page, its wasm module, its EventSourceClient stream and its
// publish form all go over https; an event published by Node (trusting the test CA) arrives too.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { request } from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

import { startServer } from '../server.js';
import { browserSkip, collectPageErrors, launch, webDir } from './browser.js';

const WAIT = 15000;  // hang guard for each wait on the page
const makeCerts = fileURLToPath(new URL('../../../tests/tls/make-certs', import.meta.url));
let certs, server, browser;

/** base64 of the SHA-256 of `pem`'s SubjectPublicKeyInfo, the form Chromium's SPKI list takes. */
function spkiHash(pem) {
  const script = 'openssl x509 -in "$1" -pubkey -noout | openssl pkey -pubin -outform der | openssl dgst -sha256 -binary | base64';
  return execFileSync('sh', ['-c', script, 'spki', pem], { encoding: 'utf8' }).trim();
}

/** POSTs `body` as JSON to `url`, trusting only `ca`; resolves to the status code. */
function postJson(url, body, ca) {
  return new Promise((resolve, reject) => {
    const req = request(url, { method: 'POST', ca, headers: { 'content-type': 'application/json' } }, (res) => {
      res.resume();
      res.on('end', () => resolve(res.statusCode));
    });
    req.on('error', reject);
    req.end(JSON.stringify(body));
  });
}

before(async () => {
  if (browserSkip) return;
  certs = mkdtempSync(join(tmpdir(), 'sse-https-'));
  execFileSync(makeCerts, [certs]);
  server = await startServer(['--static-dir', webDir, '--tls-cert', join(certs, 'server-chain.pem'),
    '--tls-key', join(certs, 'server.key')]);
  browser = await launch([`--ignore-certificate-errors-spki-list=${spkiHash(join(certs, 'server.pem'))}`]);
});
after(async () => {
  await browser?.close();
  await server?.stop();
  if (certs) rmSync(certs, { recursive: true, force: true });
});

test('the demo page works over https from sse-server --tls-cert', { skip: browserSkip, timeout: 60000 }, async () => {
  assert.match(server.origin, /^https:\/\/127\.0\.0\.1:\d+$/);
  const page = await browser.newPage();
  const errors = collectPageErrors(page);
  const failed = [];
  page.on('requestfailed', (r) => failed.push(`${r.url()}: ${r.failure()?.errorText}`));
  await page.goto(server.url('/demo/'));
  assert.deepEqual(await page.evaluate(() => [location.protocol, isSecureContext]), ['https:', true]);
  await page.locator('#state', { hasText: 'open' }).waitFor({ timeout: WAIT });
  await page.fill('#pub-data', 'over tls from the form');
  await page.click('#publish button[type=submit]');
  await page.locator('#events td.data', { hasText: 'over tls from the form' }).waitFor({ timeout: WAIT });
  const status = await postJson(server.url('/publish'), { topic: 'demo', data: 'over tls from node' },
    readFileSync(join(certs, 'ca.pem')));
  assert.equal(status, 200);
  await page.locator('#events td.data', { hasText: 'over tls from node' }).waitFor({ timeout: WAIT });
  const rows = await page.$$eval('#events tr', (trs) => trs.map((tr) => tr.cells[3].textContent));
  assert.deepEqual(rows, ['over tls from node', 'over tls from the form']);
  assert.deepEqual(errors, []);
  assert.deepEqual(failed, []);
  await page.close();
});

test('without the trusted key, Chromium refuses the test certificate', { skip: browserSkip, timeout: 60000 }, async () => {
  // The control: the page above loaded because of the SPKI flag, not because nothing is checked.
  const plain = await launch();
  try {
    const page = await plain.newPage();
    await assert.rejects(page.goto(server.url('/demo/')), /ERR_CERT_AUTHORITY_INVALID/);
  } finally {
    await plain.close();
  }
});
