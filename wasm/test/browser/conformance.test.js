// EventSourceClient and Chromium's own EventSource, in the same page, pointed at the same
// sse-server conformance routes: they must fire the same events (type, data, lastEventId, origin)
// and the same open / error sequence (readyState at each error), i.e. reconnect alike.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';

import { b64, startServer } from '../server.js';
import { browserSkip, collectPageErrors, launch, webDir } from './browser.js';

let server, browser, page, errors;
before(async () => {
  if (browserSkip) return;
  server = await startServer(['--static-dir', webDir]);
  browser = await launch();
  page = await browser.newPage();
  errors = collectPageErrors(page);
  await page.goto(server.url('/'));
});
after(async () => {
  await browser?.close();
  await server?.stop();
});

/**
 * Runs native EventSource, then EventSourceClient, on `path` in the page; each records until
 * readyState CLOSED, `limit` records, or `settleMs` (then "settled" is logged: nothing more came).
 */
async function both(path, { types = ['message'], limit = 100, settleMs = 8000 } = {}) {
  return page.evaluate(async ({ path, types, limit, settleMs }) => {
    const { EventSourceClient } = await import('/pkg/index.js');
    const run = (Source) => new Promise((resolve) => {
      const log = [];
      const source = new Source(path);
      let timer;
      const done = (why) => {
        if (why) log.push(why);
        source.close();
        clearTimeout(timer);
        resolve(log);
      };
      timer = setTimeout(() => done('settled'), settleMs);
      const push = (entry) => {
        log.push(entry);
        if (log.length >= limit) done();
      };
      source.onopen = () => push('open');
      source.onerror = () => {
        push(`error(${source.readyState})`);
        if (source.readyState === 2) done();
      };
      for (const type of types) {
        source.addEventListener(type, (e) => push(`${e.type}|${e.data}|${e.lastEventId}|${e.origin === location.origin ? 'same-origin' : e.origin}`));
      }
    });
    return { native: await run(EventSource), ours: await run(EventSourceClient) };
  }, { path, types, limit, settleMs });
}

test('ids, event types, multi-line data, comments, then reconnection', { skip: browserSkip, timeout: 60000 }, async () => {
  const events = [
    { id: 'a', event: 'update', data: 'one\ntwo\n\nthree' },
    { comment: ' heartbeat' },
    { data: 'plain' },
    { id: '', data: 'id reset' },
    { event: 'other', data: '' },
  ];
  const { native, ours } = await both(`/conformance/echo?events=${b64(events)}&retry=30`, { types: ['message', 'update', 'other'], limit: 12 });
  const once = ['open', 'update|one\ntwo\n\nthree|a|same-origin', 'message|plain|a|same-origin', 'message|id reset||same-origin', 'other|||same-origin', 'error(0)'];
  assert.deepEqual(native, [...once, ...once]);
  assert.deepEqual(ours, native);
});

test('Last-Event-ID resume after a server-side close, then a 204 stops it', { skip: browserSkip, timeout: 60000 }, async () => {
  const { native, ours } = await both('/conformance/count?n=5&close_after=2&retry=30');
  assert.deepEqual(native, [
    'open', 'message|1|1|same-origin', 'message|2|2|same-origin', 'error(0)',
    'open', 'message|3|3|same-origin', 'message|4|4|same-origin', 'error(0)',
    'open', 'message|5|5|same-origin', 'error(0)',
    'error(2)',
  ]);
  assert.deepEqual(ours, native);
});

test('a long retry holds the reconnection back for both', { skip: browserSkip, timeout: 60000 }, async () => {
  const { native, ours } = await both('/conformance/retry?ms=600000', { settleMs: 1500 });
  assert.deepEqual(native, ['open', 'message|600000||same-origin', 'error(0)', 'settled']);
  assert.deepEqual(ours, native);
});

test('204 No Content: no open, one error, closed', { skip: browserSkip, timeout: 60000 }, async () => {
  const { native, ours } = await both('/conformance/no-content');
  assert.deepEqual(native, ['error(2)']);
  assert.deepEqual(ours, native);
});

test('a wrong Content-Type fails the connection', { skip: browserSkip, timeout: 60000 }, async () => {
  const { native, ours } = await both('/conformance/status?code=200&type=text/plain');
  assert.deepEqual(native, ['error(2)']);
  assert.deepEqual(ours, native);
  const charset = await both('/conformance/status?code=200&type=Text/Event-Stream;%20charset=utf-8', { limit: 2 });
  assert.deepEqual(charset.native, ['open', 'message|status 200||same-origin']);
  assert.deepEqual(charset.ours, charset.native);
});

test('a partial event at a server-side close is discarded, its id never applied', { skip: browserSkip, timeout: 60000 }, async () => {
  const { native, ours } = await both(`/conformance/close-mid-event?events=${b64([{ id: 'kept', data: 'whole' }])}&retry=30`, { limit: 6 });
  assert.deepEqual(native, ['open', 'message|whole|kept|same-origin', 'error(0)', 'open', 'message|whole|kept|same-origin', 'error(0)']);
  assert.deepEqual(ours, native);
  assert.deepEqual(errors, []);
});
