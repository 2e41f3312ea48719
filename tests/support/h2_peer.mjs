// A reference HTTP/2 peer for the client and sse-load tests, on Node's node:http2 (nghttp2 inside
// Node, so not our own HTTP/2 code checking itself).
//
//   node h2_peer.mjs h2c           HTTP/2 with prior knowledge on a plain port
//   node h2_peer.mjs h2 DIR        HTTP/2 over TLS (DIR/server.pem, DIR/server.key); ALPN h2 only
//   node h2_peer.mjs h1tls DIR     HTTPS without ALPN (HTTP/1.1 only), for the fallback cases
//   node h2_peer.mjs malformed     raw h2c (no node:http2, which refuses to send it): every
//                                  request gets 200 text/event-stream with `connection:
//                                  keep-alive` (forbidden in HTTP/2, RFC 9113 8.2.2), then a
//                                  comment, and the stream is held open
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
// `data: <data>` to every /hub stream. GET /drop: 200, one event, then the connection is destroyed
// without END_STREAM; 204 after. GET /goaway: 200, one event, then GOAWAY ENHANCE_YOUR_CALM and
// the connection closed; 204 after. GET /refuse: RST_STREAM REFUSED_STREAM before any head.
import fs from 'node:fs';
import http from 'node:http';
import http2 from 'node:http2';
import https from 'node:https';
import net from 'node:net';

const args = process.argv.slice(2);
const maxAt = args.indexOf('--max-streams');
const settings = maxAt >= 0 ? { maxConcurrentStreams: Number(args.splice(maxAt, 2)[1]) } : {};
const [mode, dir] = args;
const counts = new Map();
// The raw sockets by remote port: node:http2 forbids destroying a session's socket through it,
// and /drop and /goaway must cut the TCP connection without a GOAWAY of Node's own.
const raw = new Map();
function cut(req) {
  const port = req.socket.remotePort;
  raw.get(port)?.destroy();
}
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
  if (path === '/drop' && n === 0) {
    res.writeHead(200, sse);
    res.write('retry: 10\nid: 9\ndata: before-drop\n\n');
    setTimeout(() => cut(req), 50);
    return;
  }
  if (path === '/goaway' && n === 0 && res.stream) {
    res.writeHead(200, sse);
    res.write('retry: 10\nid: 9\ndata: before-goaway\n\n');
    setTimeout(() => {
      const session = res.stream.session;
      session.goaway(http2.constants.NGHTTP2_ENHANCE_YOUR_CALM, 0, Buffer.from('shedding load'));
      setTimeout(() => cut(req), 20);
    }, 50);
    return;
  }
  if (path === '/refuse' && res.stream) return res.stream.close(http2.constants.NGHTTP2_REFUSED_STREAM);
  res.writeHead(204);
  res.end();
}

// One HTTP/2 frame: 24-bit length, type, flags, stream id.
function frame(type, flags, id, payload = Buffer.alloc(0)) {
  const h = Buffer.alloc(9);
  h.writeUIntBE(payload.length, 0, 3);
  h[3] = type;
  h[4] = flags;
  h.writeUInt32BE(id, 5);
  return Buffer.concat([h, payload]);
}
// An HPACK literal field without indexing, new name (RFC 7541 6.2.2), short strings only.
function literal(name, value) {
  return Buffer.concat([Buffer.from([0, name.length]), Buffer.from(name), Buffer.from([value.length]), Buffer.from(value)]);
}
// The malformed mode: reads frames, answers each HEADERS with the forbidden head and a comment.
function malformed(socket) {
  let buf = Buffer.alloc(0);
  let preface = false;
  socket.on('error', () => {});
  socket.on('data', (d) => {
    buf = Buffer.concat([buf, d]);
    if (!preface) {
      if (buf.length < 24) return;
      buf = buf.subarray(24);
      preface = true;
      socket.write(frame(4, 0, 0));
    }
    while (buf.length >= 9) {
      const len = buf.readUIntBE(0, 3);
      if (buf.length < 9 + len) break;
      const [type, flags] = [buf[3], buf[4]];
      const id = buf.readUInt32BE(5) & 0x7fffffff;
      buf = buf.subarray(9 + len);
      if (type === 4 && !(flags & 1)) socket.write(frame(4, 1, 0));
      if (type === 1) {
        const block = Buffer.concat([literal(':status', '200'), literal('content-type', 'text/event-stream'),
          literal('connection', 'keep-alive')]);
        socket.write(Buffer.concat([frame(1, 4, id, block), frame(0, 0, id, Buffer.from(': hi\n\n'))]));
      }
    }
  });
}

let server;
if (mode === 'malformed') {
  server = net.createServer(malformed);
} else if (mode === 'h2c') {
  server = http2.createServer({ settings }, handle);
} else if (mode === 'h2') {
  server = http2.createSecureServer(
    { cert: fs.readFileSync(`${dir}/server.pem`), key: fs.readFileSync(`${dir}/server.key`), settings }, handle);
} else if (mode === 'h1tls') {
  server = https.createServer(
    { cert: fs.readFileSync(`${dir}/server.pem`), key: fs.readFileSync(`${dir}/server.key`) }, handle);
} else {
  process.stderr.write(`usage: h2_peer.mjs h2c | h2 DIR | h1tls DIR | malformed\n`);
  process.exit(2);
}
server.on('connection', (s) => {
  const port = s.remotePort;
  raw.set(port, s);
  s.on('close', () => raw.delete(port));
  s.on('error', () => {});
});
server.on('sessionError', () => {});
const publisher = http.createServer(handle);
server.listen(0, '127.0.0.1', () => {
  publisher.listen(0, '127.0.0.1', () => {
    process.stderr.write(`listening ${server.address().port} publish ${publisher.address().port}\n`);
  });
});
