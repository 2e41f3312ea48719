// The npm "eventsource" package (a WHATWG-style EventSource for Node), as an adapter client. It
// serves as a reference implementation to validate the service and client mode against.
import { importPeer, peerVersion } from './peer.mjs';

export async function create({ log }) {
  const mod = await importPeer('eventsource');
  const EventSource = mod.EventSource ?? mod.default?.EventSource;
  return {
    name: 'eventsource (npm)',
    version: peerVersion('eventsource'),
    // EventSource API: listeners per event type; extensions: open events and readyState.
    capabilities: ['event-type-listeners', 'headers', 'open', 'ready-state'],
    async open(params, report) {
      const headers = { ...(params.headers ?? {}) };
      const fetchWithHeaders = (url, init) =>
        fetch(url, { ...init, headers: { ...init.headers, ...headers } });
      const es = new EventSource(params.streamUrl, { fetch: fetchWithHeaders });
      const onMessage = (e) => report({ kind: 'event', event: { type: e.type, data: e.data, id: e.lastEventId } });
      const types = new Set(['message']);
      es.addEventListener('message', onMessage);
      es.addEventListener('open', () => report({ kind: 'open', readyState: es.readyState }));
      es.addEventListener('error', (e) =>
        report({ kind: 'error', error: e.message || 'error event', readyState: es.readyState }));
      log(`eventsource: opened ${params.streamUrl}`);
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
