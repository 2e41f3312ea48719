// ssekit's EventSourceClient (wasm/index.js) as an adapter client: the JS package a user imports,
// loaded from the source tree (wasm/dist/ssekit.mjs must be built: cmake --preset wasm).
import { readFileSync } from 'node:fs';
import { faultyFetch } from './faults.mjs';

const packageUrl = new URL('../../../../wasm/', import.meta.url);

export async function create({ log }) {
  let EventSourceClient;
  try {
    ({ EventSourceClient } = await import(new URL('index.js', packageUrl).href));
  } catch (err) {
    throw new Error(`cannot load ssekit's JS package from ${packageUrl.pathname} (build it with the wasm preset): ${err.message}`);
  }
  if (typeof EventSourceClient !== 'function') throw new Error('wasm/index.js does not export EventSourceClient');
  const { version } = JSON.parse(readFileSync(new URL('package.json', packageUrl), 'utf8'));
  return {
    name: 'ssekit EventSourceClient',
    version,
    capabilities: ['event-type-listeners', 'headers', 'last-event-id', 'post', 'report', 'open', 'ready-state'],
    async open(params, report) {
      const options = {};
      // Only the suite's own tests set this: see faults.mjs.
      if (process.env.SSE_ADAPTER_FAULT) options.fetch = faultyFetch(process.env.SSE_ADAPTER_FAULT);
      if (params.headers) options.headers = { ...params.headers };
      if (params.method) options.method = params.method;
      if (params.body !== undefined) options.body = params.body;
      if (params.lastEventId) options.lastEventId = params.lastEventId;
      if (Number.isInteger(params.initialDelayMs)) options.reconnect = { initialDelay: params.initialDelayMs };
      const es = new EventSourceClient(params.streamUrl, options);
      const onMessage = (e) => report({ kind: 'event', event: { type: e.type, data: e.data, id: e.lastEventId } });
      const types = new Set(['message']);
      es.addEventListener('message', onMessage);
      es.addEventListener('open', () => report({ kind: 'open', readyState: es.readyState }));
      es.addEventListener('error', () => report({
        kind: 'error', error: es.failureReason ?? 'connection lost', readyState: es.readyState,
      }));
      log(`ssekit: opened ${params.streamUrl}`);
      return {
        async listen(type) {
          if (!types.has(type)) { types.add(type); es.addEventListener(type, onMessage); }
        },
        async close() { es.close(); },
      };
    },
    async shutdown() {},
  };
}
