// The web pages (wasm/web/) in headless Chromium, served by sse-server's static route: the demo
// page receives published events, the inspector shows a pasted capture and a live URL correctly
// (with a screenshot kept under build/<preset>/artifacts/).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';

import { startServer } from '../server.js';
import { artifactsDir, browserSkip, collectPageErrors, launch, webDir } from './browser.js';

const WAIT = 15000;  // hang guard for each wait on the page
let server, browser;
before(async () => {
  if (browserSkip) return;
  server = await startServer(['--static-dir', webDir]);
  browser = await launch();
});
after(async () => {
  await browser?.close();
  await server?.stop();
});

test('the demo page receives what the page and another client publish', { skip: browserSkip, timeout: 60000 }, async () => {
  const page = await browser.newPage();
  const errors = collectPageErrors(page);
  await page.goto(server.url('/demo/'));
  await page.locator('#state', { hasText: 'open' }).waitFor({ timeout: WAIT });
  await page.fill('#pub-data', 'from the form');
  await page.click('#publish button[type=submit]');
  await page.locator('#events td.data', { hasText: 'from the form' }).waitFor({ timeout: WAIT });
  const res = await fetch(server.url('/publish'), {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ topic: 'demo', data: 'from node' }),
  });
  assert.ok(res.ok);
  await page.locator('#events td.data', { hasText: 'from node' }).waitFor({ timeout: WAIT });
  const rows = await page.$$eval('#events tr', (trs) => trs.map((tr) => [...tr.cells].slice(1).map((td) => td.textContent)));
  assert.equal(rows.length, 2);
  assert.deepEqual(rows.map((r) => [r[0], r[2]]), [['message', 'from node'], ['message', 'from the form']]);
  assert.ok(Number(rows[0][1]) > Number(rows[1][1]), 'ids increase');
  assert.deepEqual(errors, []);
  await page.close();
});

// A capture with something of everything: BOM, comment, retry, typed event with id, multi-line
// data, a near-miss field name, a bad retry, and an unterminated last event.
const CAPTURE = '\uFEFF: hello\nretry: 1500\n\nid: 7\nevent: update\ndata: line one\ndata: line two\n\nData: ignored\ndata: x\n\nretry: soon\nid: 8\ndata: cut';

test('the inspector shows a pasted capture: records, observations, raw lines', { skip: browserSkip, timeout: 60000 }, async () => {
  const page = await browser.newPage({ viewport: { width: 1280, height: 1100 } });
  const errors = collectPageErrors(page);
  await page.goto(server.url('/inspector/'));
  await page.fill('#paste', CAPTURE);
  await page.click('#paste-go');
  await page.locator('#summary', { hasText: 'events' }).waitFor({ timeout: WAIT });
  const records = await page.$$eval('#records tbody tr', (trs) => trs.map((tr) => [...tr.cells].slice(3).map((td) => td.textContent)));
  assert.deepEqual(records.slice(1), [
    ['comment', '', '', ' hello'],
    ['retry', '', '', 'reconnection time 1500 ms'],
    ['event', 'update', '7', 'line one\nline two'],
    ['event', 'message', '7', 'x'],
  ]);
  assert.equal(records[0][0], 'connect');
  const codes = await page.$$eval('#observations tbody tr', (trs) => trs.map((tr) => [tr.cells[0].textContent, tr.cells[1].textContent, tr.cells[4].textContent]));
  const byCode = Object.fromEntries(codes.map(([severity, code, raw]) => [code, { severity, raw }]));
  assert.deepEqual(byCode['field-name-near-miss'], { severity: 'warning', raw: 'Data: ignored\\n' });
  assert.deepEqual(byCode['retry-not-digits'], { severity: 'warning', raw: 'retry: soon\\n' });
  assert.equal(byCode['unterminated-event']?.severity, 'warning');
  assert.equal(byCode['bom-at-start']?.severity, 'info');
  const raw = await page.$$eval('#raw tbody tr', (trs) => trs.map((tr) => tr.cells[3].textContent));
  assert.equal(raw.length, 14);
  assert.equal(raw[0], '[BOM]: hello\\n');
  assert.equal(raw[13], 'data: cut');
  assert.match(await page.textContent('#summary'), /2 events, 1 comments, 1 retry fields; observations: 0 errors/);
  const file = join(artifactsDir(), 'inspector.png');
  await page.screenshot({ path: file, fullPage: true });
  assert.deepEqual(errors, []);
  await page.close();
});

test('the inspector follows a live URL across reconnects until the 204', { skip: browserSkip, timeout: 60000 }, async () => {
  const page = await browser.newPage();
  const errors = collectPageErrors(page);
  await page.goto(server.url('/inspector/'));
  await page.fill('#url', '/conformance/count?n=3&close_after=2&retry=50');
  await page.click('#url-go');
  await page.locator('#records td.data', { hasText: 'failed for good' }).waitFor({ timeout: WAIT });
  const records = await page.$$eval('#records tbody tr', (trs) => trs.map((tr) => [tr.cells[2].textContent, tr.cells[3].textContent, tr.cells[5].textContent, tr.cells[6].textContent]));
  const events = records.filter((r) => r[1] === 'event').map((r) => [r[0], r[2], r[3]]);
  assert.deepEqual(events, [['1', '1', '1'], ['1', '2', '2'], ['2', '3', '3']]);
  const connects = records.filter((r) => r[1] === 'connect').map((r) => r[3]);
  assert.equal(connects.length, 3);
  assert.match(connects[1], /^HTTP 200.*sent Last-Event-ID: 2$/);
  assert.match(connects[2], /^HTTP 204/);
  assert.deepEqual(errors, []);
  await page.close();
});
