// Past the six-connection limit: one page opens 8 EventSource and 8 EventSourceClient streams to
// sse-server over HTTPS. Over HTTP/2 (ALPN h2) all 16 share one connection and all receive the
// event; over HTTP/1.1 (the server started with --no-http2) Chromium holds at most 6 connections
// per host, so the 7th stream and later ones are queued and neither open nor receive (checked
// within a bounded wait: this is the limit HTTP/2 removes). Chromium trusts exactly the test
// certificate's public key (--ignore-certificate-errors-spki-list), as in https.test.js.
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

const WAIT = 15000;     // hang guard for each wait on the page
const QUEUED_MS = 3000; // how long the queued HTTP/1.1 streams are watched for an open or an event
const PER_KIND = 8;     // EventSource streams, and as many EventSourceClient streams
const makeCerts = fileURLToPath(new URL('../../../tests/tls/make-certs', import.meta.url));
let certs, h2, h1, browser;

/** base64 of the SHA-256 of `pem`'s SubjectPublicKeyInfo, the form Chromium's SPKI list takes. */
function spkiHash(pem) {
  const script = 'openssl x509 -in "$1" -pubkey -noout | openssl pkey -pubin -outform der | openssl dgst -sha256 -binary | base64';
  return execFileSync('sh', ['-c', script, 'spki', pem], { encoding: 'utf8' }).trim();
}

/** POSTs a form publish of `data` on `topic` to `server`, trusting only the test CA. */
function publish(server, topic, data) {
  return new Promise((resolve, reject) => {
    const req = request(server.url('/publish'), {
      method: 'POST', ca: readFileSync(join(certs, 'ca.pem')),
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
    }, (res) => {
      res.resume();
      res.on('end', () => resolve(res.statusCode));
    });
    req.on('error', reject);
    req.end(`topic=${topic}&data=${encodeURIComponent(data)}`);
  });
}

before(async () => {
  if (browserSkip) return;
  certs = mkdtempSync(join(tmpdir(), 'sse-h2-'));
  execFileSync(makeCerts, [certs]);
  const tls = ['--static-dir', webDir, '--tls-cert', join(certs, 'server-chain.pem'), '--tls-key', join(certs, 'server.key')];
  h2 = await startServer(tls);
  h1 = await startServer([...tls, '--no-http2']);
  browser = await launch([`--ignore-certificate-errors-spki-list=${spkiHash(join(certs, 'server.pem'))}`]);
});
after(async () => {
  await browser?.close();
  await h2?.stop();
  await h1?.stop();
  if (certs) rmSync(certs, { recursive: true, force: true });
});

/**
 * Opens PER_KIND EventSource then PER_KIND EventSourceClient streams on `topic` in `page`; they
 * record into window.streams (opened, data). Resolves once the page made them all.
 */
async function openStreams(page, topic) {
  await page.evaluate(async ({ topic, perKind }) => {
    const { EventSourceClient } = await import('/pkg/index.js');
    window.streams = [];
    for (const Source of [EventSource, EventSourceClient]) {
      for (let k = 0; k < perKind; ++k) {
        const entry = { kind: Source === EventSource ? 'EventSource' : 'EventSourceClient', opened: false, data: [] };
        const source = new Source(`/events?topic=${topic}`);
        source.onopen = () => { entry.opened = true; };
        source.onmessage = (e) => { entry.data.push(e.data); };
        entry.source = source;
        window.streams.push(entry);
      }
    }
  }, { topic, perKind: PER_KIND });
}

/** Waits until at least `count` streams satisfy `what` ('opened' or 'received:DATA'). */
function waitStreams(page, what, count) {
  return page.waitForFunction(({ what, count }) => {
    const ok = (s) => (what === 'opened' ? s.opened : s.data.includes(what.slice('received:'.length)));
    return window.streams.filter(ok).length >= count;
  }, { what, count }, { timeout: WAIT, polling: 20 });
}

/** Per stream: [kind, opened, received data]. */
function snapshot(page) {
  return page.evaluate(() => window.streams.map((s) => [s.kind, s.opened, s.data.join(',')]));
}

/** The protocol the page itself came over ('h2', 'http/1.1'), from Navigation Timing. */
function pageProtocol(page) {
  return page.evaluate(() => performance.getEntriesByType('navigation')[0]?.nextHopProtocol);
}

test('over HTTP/2, 16 streams from one page all open and all receive', { skip: browserSkip, timeout: 60000 }, async () => {
  const page = await browser.newPage();
  const errors = collectPageErrors(page);
  await page.goto(h2.url('/'));
  assert.equal(await pageProtocol(page), 'h2');
  await openStreams(page, 'seven');
  await waitStreams(page, 'opened', 2 * PER_KIND);
  assert.equal(await publish(h2, 'seven', 'to every stream'), 200);
  await waitStreams(page, 'received:to every stream', 2 * PER_KIND);
  const streams = await snapshot(page);
  assert.equal(streams.length, 2 * PER_KIND);
  for (const [kind, opened, data] of streams) assert.deepEqual([kind, opened, data], [kind, true, 'to every stream']);
  // The EventSource requests went over h2 as well (when Resource Timing lists them).
  const protocols = await page.evaluate(() => [...new Set(performance.getEntriesByType('resource')
    .filter((e) => e.name.includes('/events?')).map((e) => e.nextHopProtocol))]);
  assert.ok(protocols.every((p) => p === 'h2' || p === ''), `protocols: ${protocols}`);
  assert.deepEqual(errors, []);
  await page.close();
});

test('over HTTP/1.1, the 7th stream is queued by the browser and receives nothing', { skip: browserSkip, timeout: 60000 }, async () => {
  const page = await browser.newPage();
  const errors = collectPageErrors(page);
  await page.goto(h1.url('/'));
  assert.equal(await pageProtocol(page), 'http/1.1');
  await openStreams(page, 'seven');
  await waitStreams(page, 'opened', 6);
  assert.equal(await publish(h1, 'seven', 'to the first six'), 200);
  await waitStreams(page, 'received:to the first six', 6);
  // The other 10 wait for a connection that none of the 6 open streams gives back.
  await new Promise((resolve) => setTimeout(resolve, QUEUED_MS));
  const streams = await snapshot(page);
  const served = streams.filter(([, opened]) => opened);
  assert.equal(served.length, 6, JSON.stringify(streams));
  assert.equal(streams.filter(([, , data]) => data !== '').length, 6, JSON.stringify(streams));
  // Which six get a connection is the browser's choice; every one of the 10 others (the 7th
  // stream onwards) neither opened nor received.
  for (const [kind, opened, data] of streams) {
    if (opened) assert.equal(data, 'to the first six', kind);
    else assert.equal(data, '', kind);
  }
  await page.evaluate(() => window.streams.forEach((s) => s.source.close()));
  assert.deepEqual(errors, []);
  await page.close();
});
