// A reference HTTP/2 peer for the client and sse-load tests, on Node's node:http2 (nghttp2 inside
// Node, so not our own HTTP/2 code checking itself).
//
//   node h2_peer.mjs h2c           HTTP/2 with prior knowledge on a plain port
//   node h2_peer.mjs h2 DIR        HTTP/2 over TLS (DIR/server.pem, DIR/server.key); ALPN h2 only
//   node h2_peer.mjs h1tls DIR     HTTPS without ALPN (HTTP/1.1 only), for the fallback cases
//   ... --max-streams N            SETTINGS_MAX_CONCURRENT_STREAMS (default: Node's, unlimited)
//
// Prints "listening <port> publish <port>" on stderr, then serves until killed. The publish port
// is plain HTTP/1.1 (sse-load's publisher speaks it).
//
// Routes: GET /events: the first request gets `retry: 10`, event 1 and the end of the stream; the
// second gets event 2 whose data names the Last-Event-ID it carried and the HTTP version; later
// ones get 204 (stop). GET /redirect: 307 to /events. GET /reset: 200, one event, then
// RST_STREAM (REFUSED_STREAM over HTTP/2, a dropped connection over HTTP/1.1), and 204 after.
// GET /hub: a stream held open; POST /publish (either port) with `data=...` (form) sends
// `data: <data>` to every /hub stream.
import fs from 'node:fs';
import http from 'node:http';
import http2 from 'node:http2';
import https from 'node:https';

const args = process.argv.slice(2);
const maxAt = args.indexOf('--max-streams');
const settings = maxAt >= 0 ? { maxConcurrentStreams: Number(args.splice(maxAt, 2)[1]) } : {};
const [mode, dir] = args;
const counts = new Map();
const hub = new Set();

function publish(req, res) {
  let body = '';
  req.setEncoding('utf8');
  req.on('data', (c) => { body += c; });
  req.on('end', () => {
    const data = new URLSearchParams(body).get('data') ?? body;
    for (const s of hub) s.write(`data: ${data}\n\n`);
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(`{"subscribers":${hub.size}}`);
  });
}

function handle(req, res) {
  const path = req.url.split('?')[0];
  const n = counts.get(path) ?? 0;
  counts.set(path, n + 1);
  const sse = { 'content-type': 'text/event-stream', 'cache-control': 'no-store' };
  if (path === '/publish' && req.method === 'POST') return publish(req, res);
  if (path === '/redirect') {
    res.writeHead(307, { location: '/events' });
    return res.end();
  }
  if (path === '/hub') {
    res.writeHead(200, sse);
    res.write(': hello\n\n');
    hub.add(res);
    res.on('close', () => hub.delete(res));
    return;
  }
  if (path === '/events') {
    if (n === 0) {
      res.writeHead(200, sse);
      return res.end('retry: 10\nid: 1\ndata: first\n\n');
    }
    if (n === 1) {
      res.writeHead(200, sse);
      const id = req.headers['last-event-id'] ?? '';
      return res.end(`id: 2\ndata: resumed-${id}-over-${req.httpVersion}\n\n`);
    }
  }
  if (path === '/reset' && n === 0) {
    res.writeHead(200, sse);
    res.write('retry: 10\nid: 7\ndata: before-reset\n\n');
    setTimeout(() => {
      if (res.stream) res.stream.close(http2.constants.NGHTTP2_REFUSED_STREAM);
      else res.socket.destroy();
    }, 50);
    return;
  }
  res.writeHead(204);
  res.end();
}

let server;
if (mode === 'h2c') {
  server = http2.createServer({ settings }, handle);
} else if (mode === 'h2') {
  server = http2.createSecureServer(
    { cert: fs.readFileSync(`${dir}/server.pem`), key: fs.readFileSync(`${dir}/server.key`), settings }, handle);
} else if (mode === 'h1tls') {
  server = https.createServer(
    { cert: fs.readFileSync(`${dir}/server.pem`), key: fs.readFileSync(`${dir}/server.key`) }, handle);
} else {
  process.stderr.write(`usage: h2_peer.mjs h2c | h2 DIR | h1tls DIR\n`);
  process.exit(2);
}
const publisher = http.createServer(handle);
server.listen(0, '127.0.0.1', () => {
  publisher.listen(0, '127.0.0.1', () => {
    process.stderr.write(`listening ${server.address().port} publish ${publisher.address().port}\n`);
  });
});
