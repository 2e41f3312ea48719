// Chromium's native EventSource as an adapter client: headless /usr/bin/chromium driven through
// playwright-core (which never downloads a browser of its own here). Each stream gets its own
// page whose origin is the stream's origin, so the EventSource request is same-origin: no CORS
// preflight or CORS failure changes what the scenario server sees.
import { importPeer, peerVersion } from './peer.mjs';

const launchArgs = ['--headless', '--no-sandbox', '--disable-gpu', '--no-first-run',
  '--disable-background-networking', '--disable-component-update', '--disable-sync'];

export async function create({ log }) {
  const playwright = await importPeer('playwright-core');
  const chromium = playwright.chromium ?? playwright.default.chromium;
  const executablePath = process.env.CHROMIUM_PATH || '/usr/bin/chromium';
  let browser;
  try {
    browser = await chromium.launch({ executablePath, args: launchArgs, timeout: 30000 });
  } catch (err) {
    throw new Error(`cannot launch ${executablePath} (install Debian's chromium, or set CHROMIUM_PATH): ${err.message}`);
  }
  log(`chromium ${browser.version()} launched`);
  return {
    name: 'Chromium EventSource',
    version: browser.version(),
    driver: `playwright-core ${peerVersion('playwright-core')}`,
    capabilities: ['event-type-listeners', 'open', 'ready-state'],
    async open(params, report) {
      const page = await browser.newPage();
      await page.exposeFunction('sseReport', (m) => report(m));
      // A blank document at the stream's origin, fulfilled here: no request reaches the server.
      const origin = new URL(params.streamUrl).origin;
      const blank = `${origin}/__sse_conformance_blank__`;
      await page.route(blank, (route) => route.fulfill({ status: 200, contentType: 'text/html', body: '<!doctype html><title>sse</title>' }));
      await page.goto(blank);
      await page.unroute(blank);
      await page.evaluate((url) => {
        const es = new EventSource(url);
        window.sseSource = es;
        window.sseTypes = new Set(['message']);
        window.sseOnMessage = (e) => sseReport({ kind: 'event', event: { type: e.type, data: e.data, id: e.lastEventId } });
        es.addEventListener('message', window.sseOnMessage);
        es.addEventListener('open', () => sseReport({ kind: 'open', readyState: es.readyState }));
        es.addEventListener('error', () => sseReport({ kind: 'error', error: 'error event', readyState: es.readyState }));
      }, params.streamUrl);
      log(`chromium: page opened ${params.streamUrl}`);
      return {
        async listen(type) {
          await page.evaluate((t) => {
            if (!window.sseTypes.has(t)) { window.sseTypes.add(t); window.sseSource.addEventListener(t, window.sseOnMessage); }
          }, type);
        },
        async close() {
          await page.evaluate(() => window.sseSource.close()).catch(() => {});
          await page.close().catch(() => {});
        },
      };
    },
    async shutdown() { await browser.close(); },
  };
}
