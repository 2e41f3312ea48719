// Deliberate faults for testing the suite itself (SSE_ADAPTER_FAULT=NAME): a fetch wrapper that
// breaks one behaviour of an otherwise conforming client, so a test can prove the case meant to
// catch it does. Never set in a real run.
const BOM = [0xef, 0xbb, 0xbf];

/** Removes every BOM from a byte stream (a client that strips BOMs everywhere). */
function stripBoms(body) {
  let tail = new Uint8Array(0);
  return body.pipeThrough(new TransformStream({
    transform(chunk, controller) {
      const bytes = new Uint8Array(tail.length + chunk.length);
      bytes.set(tail);
      bytes.set(chunk, tail.length);
      const out = [];
      let i = 0;
      for (; i + 2 < bytes.length; ++i) {
        if (bytes[i] === BOM[0] && bytes[i + 1] === BOM[1] && bytes[i + 2] === BOM[2]) { i += 2; continue; }
        out.push(bytes[i]);
      }
      tail = bytes.slice(i);
      controller.enqueue(new Uint8Array(out));
    },
    flush(controller) { if (tail.length) controller.enqueue(tail); },
  }));
}

/** Turns every LF into CR (a client that sees a line end twice in CRLF). */
function lfToCr(body) {
  return body.pipeThrough(new TransformStream({
    transform(chunk, controller) { controller.enqueue(chunk.map((b) => (b === 0x0a ? 0x0d : b))); },
  }));
}

export const faults = {
  'no-last-event-id': 'never sends Last-Event-ID',
  'no-accept': 'sends no Accept header',
  'reconnect-after-204': 'treats 204 like the end of a stream and reconnects',
  'strip-all-boms': 'removes every BOM, not only a leading one',
  'lf-as-cr': 'reads every LF as CR (so CRLF counts as two line ends)',
};

/** A fetch that injects `fault` into every request or response. Throws for an unknown fault. */
export function faultyFetch(fault, realFetch = globalThis.fetch) {
  if (!faults[fault]) throw new Error(`unknown SSE_ADAPTER_FAULT "${fault}": ${Object.keys(faults).join(', ')}`);
  return async (url, init = {}) => {
    const headers = new Headers(init.headers);
    if (fault === 'no-last-event-id') headers.delete('last-event-id');
    if (fault === 'no-accept') headers.set('accept', '*/*');
    const res = await realFetch(url, { ...init, headers });
    const rewrap = (body, status = res.status) =>
      new Response(body, { status, statusText: res.statusText, headers: res.headers });
    if (fault === 'reconnect-after-204' && res.status === 204) {
      const h = new Headers(res.headers);
      h.set('content-type', 'text/event-stream');
      return new Response('', { status: 200, headers: h });
    }
    if (fault === 'strip-all-boms' && res.body) return rewrap(stripBoms(res.body));
    if (fault === 'lf-as-cr' && res.body) return rewrap(lfToCr(res.body));
    return res;
  };
}
