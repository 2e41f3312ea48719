// An HTTP/2 client for the server's HTTP/2 tests (Node's node:http2, an independent
// implementation): opens streams on ONE connection and reports what it saw as one JSON line on
// stdout. Exit 0: the case held; 1: it did not (the JSON says why); 3: it ran out of time.
//
//   node h2_client_peer.mjs CASE ARGS...
//
//   streams BASE N     N event streams on one connection, a publish on the same connection,
//                      every stream gets the event
//   reset BASE         3 streams, the client resets one, the others still get the next event,
//                      the connection stays up and the server counts 2 subscribers
//   settings BASE      the server's SETTINGS_MAX_HEADER_LIST_SIZE and _MAX_CONCURRENT_STREAMS
//   window BASE BYTES  a stream whose flow-control window is 0 while BYTES of events are
//                      published: how the server ends it
//   reopen BASE BYTES  the same, then the window opens (SETTINGS_INITIAL_WINDOW_SIZE): what the
//                      stream receives then (with --slow-client resync: the resync signal)
//   idle BASE          connects and sends nothing: whether the server sends GOAWAY and closes
//                      (it should, after --request-timeout)
//   stuck BASE PATH    GET PATH (a plain reply) with a flow-control window of 0: its status and
//                      how the server ends the stream (it should reset it after --write-timeout)
//   held BASE PATH     window 0, GET PATH twice on one connection: the two statuses (the second
//                      is 503 when both replies together are over what a connection may hold)
//   unfinished BASE    a POST whose body never ends: the answer, how the stream ends, then
//                      whether the idle connection gets GOAWAY (--request-timeout bounds both)
//   early BASE         a POST that keeps its body open past --max-body-size: the answer and how
//                      the stream ends (RST_STREAM NO_ERROR after the 413, RFC 9113 8.1)
//
// BASE is http://HOST:PORT (prior knowledge, h2c) or https://HOST:PORT (ALPN h2; the
// certificate is not checked: the test CA is not the point here).
import http2 from 'node:http2';

const [kind, base, arg] = process.argv.slice(2);
const deadline = setTimeout(() => finish(3, { error: 'timed out' }), 20000);
const connection_specific = ['connection', 'keep-alive', 'proxy-connection', 'transfer-encoding', 'upgrade'];

function finish(code, report) {
  clearTimeout(deadline);
  process.stdout.write(JSON.stringify(report) + '\n', () => process.exit(code));
}

function connect(settings = {}) {
  const session = http2.connect(base, { rejectUnauthorized: false, settings });
  session.on('error', (e) => finish(1, { error: 'session: ' + e.message }));
  return session;
}

// Opens GET /events?topic=TOPIC; resolves with { stream, head } once the head is in. `text()`
// is what arrived so far.
function subscribe(session, topic) {
  return new Promise((resolve, reject) => {
    const stream = session.request({ ':path': '/events?topic=' + topic });
    let body = '';
    stream.setEncoding('utf8');
    stream.on('data', (d) => { body += d; });
    stream.on('error', () => {});
    stream.on('response', (head) => resolve({ stream, head, text: () => body }));
    stream.on('close', () => reject(new Error('closed before its head, code ' + stream.rstCode)));
  });
}

function publish(session, topic, data) {
  return new Promise((resolve, reject) => {
    const body = 'topic=' + topic + '&data=' + encodeURIComponent(data);
    const stream = session.request({
      ':method': 'POST', ':path': '/publish',
      'content-type': 'application/x-www-form-urlencoded',
    });
    let text = '';
    stream.setEncoding('utf8');
    stream.on('response', (head) => {
      stream.on('data', (d) => { text += d; });
      stream.on('end', () => resolve({ status: head[':status'], text, head }));
    });
    stream.on('error', reject);
    stream.end(body);
  });
}

function get(session, path) {
  return new Promise((resolve, reject) => {
    const stream = session.request({ ':path': path });
    let text = '';
    stream.setEncoding('utf8');
    stream.on('data', (d) => { text += d; });
    stream.on('end', () => resolve(text));
    stream.on('error', reject);
  });
}

// The server's open event streams, from its metrics.
async function subscribers(session) {
  const m = /\nsse_subscribers (\d+)\n/.exec(await get(session, '/metrics'));
  return m ? Number(m[1]) : -1;
}

function forbidden_fields(head) {
  return Object.keys(head).filter((name) => connection_specific.includes(name.toLowerCase()));
}

// Resolves once every `subs` entry's text contains `needle`, polling (bounded by the deadline).
function all_receive(subs, needle) {
  return new Promise((resolve) => {
    const check = () => {
      if (subs.every((s) => s.text().includes(needle))) return resolve();
      setTimeout(check, 10);
    };
    check();
  });
}

async function streams(count) {
  const session = connect();
  const subs = await Promise.all(Array.from({ length: count }, () => subscribe(session, 'many')));
  const statuses = subs.map((s) => s.head[':status']);
  const forbidden = subs.flatMap((s) => forbidden_fields(s.head));
  const published = await publish(session, 'many', 'to-all');
  await all_receive(subs, 'data: to-all\n');
  const report = {
    streams: subs.length, statuses: [...new Set(statuses)], forbidden,
    content_type: subs[0].head['content-type'], publish_status: published.status,
    publish_forbidden: forbidden_fields(published.head),
  };
  session.close();
  const ok = statuses.every((s) => s === 200) && forbidden.length === 0 &&
             report.publish_forbidden.length === 0 && published.status === 200;
  finish(ok ? 0 : 1, report);
}

async function reset() {
  const session = connect();
  const subs = [];
  for (let k = 0; k < 3; ++k) subs.push(await subscribe(session, 'reset'));
  await publish(session, 'reset', 'first');
  await all_receive(subs, 'data: first\n');
  const gone = subs[1];
  await new Promise((resolve) => {
    gone.stream.on('close', resolve);
    gone.stream.close(http2.constants.NGHTTP2_CANCEL);
  });
  const left = [subs[0], subs[2]];
  const published = await publish(session, 'reset', 'second');
  await all_receive(left, 'data: second\n');
  const report = {
    publish_status: published.status, others_open: left.every((s) => !s.stream.closed),
    session_open: !session.closed && !session.destroyed,
    server_subscribers: await subscribers(session),  // the reset one is gone there too
  };
  session.close();
  const ok = report.others_open && report.session_open && published.status === 200 &&
             report.server_subscribers === 2;
  finish(ok ? 0 : 1, report);
}

async function settings() {
  const session = connect();
  session.on('remoteSettings', (s) => {
    session.close();
    finish(0, { max_header_list_size: s.maxHeaderListSize, max_concurrent_streams: s.maxConcurrentStreams });
  });
}

async function window(bytes) {
  // The stream's window is 0: the server may send HEADERS but no DATA at all.
  const reader = connect({ initialWindowSize: 0 });
  const sub = await subscribe(reader, 'window');
  const ended = new Promise((resolve) => {
    sub.stream.on('close', () => resolve(sub.stream.rstCode));
  });
  const writer = connect();
  const chunk = 'x'.repeat(1000);
  let sent = 0;
  while (sent < bytes) {
    const r = await publish(writer, 'window', chunk);
    if (r.status !== 200) return finish(1, { error: 'publish answered ' + r.status });
    sent += chunk.length;
  }
  const code = await ended;
  const report = { rst_code: code, received: sub.text().length, reader_open: !reader.closed };
  writer.close();
  reader.close();
  finish(0, report);
}

async function reopen(bytes) {
  const reader = connect({ initialWindowSize: 0 });
  const sub = await subscribe(reader, 'window');
  const writer = connect();
  const chunk = 'x'.repeat(1000);
  for (let sent = 0; sent < bytes; sent += chunk.length) {
    const r = await publish(writer, 'window', chunk);
    if (r.status !== 200) return finish(1, { error: 'publish answered ' + r.status });
  }
  // Every stream's window grows by the difference (RFC 9113 6.9.2): the server sends what it kept.
  reader.settings({ initialWindowSize: 1 << 20 });
  await publish(writer, 'window', 'after');
  await all_receive([sub], 'data: after\n');
  const text = sub.text();
  const report = {
    truncated: text.includes('event: sse-history-truncated\n'),
    slow_client: text.includes('"reason":"slow-client"'),
    events: (text.match(/\ndata: x/g) || []).length,
    open: !sub.stream.closed,
  };
  writer.close();
  reader.close();
  finish(0, report);
}

async function idle() {
  const session = connect();
  let goaway = null;
  session.on('goaway', (code) => { goaway = code; });
  session.on('close', () => finish(0, { goaway_code: goaway, closed: true }));
}

// Opens a request; resolves with { status, rst_code } once the stream has closed (the head is
// awaited first, so a reset before it shows status undefined).
function exchange(session, headers, body, end) {
  return new Promise((resolve) => {
    const stream = session.request(headers, { endStream: false });
    let status;
    let text = '';
    stream.setEncoding('utf8');
    stream.on('response', (head) => { status = head[':status']; });
    stream.on('data', (d) => { text += d; });
    stream.on('error', () => {});
    stream.on('close', () => resolve({ status, rst_code: stream.rstCode, text }));
    if (body) stream.write(body);
    if (end) stream.end();
  });
}

async function stuck(path) {
  const session = connect({ initialWindowSize: 0 });
  const r = await exchange(session, { ':path': path }, '', true);
  const report = { status: r.status, rst_code: r.rst_code, session_open: !session.closed };
  session.close();
  finish(0, report);
}

function head_of(session, path) {
  return new Promise((resolve) => {
    const stream = session.request({ ':path': path });
    stream.on('error', () => {});
    stream.on('response', (head) => resolve(head[':status']));
    stream.on('close', () => resolve('closed ' + stream.rstCode));
  });
}

async function held(path) {
  const session = connect({ initialWindowSize: 0 });
  const first = await head_of(session, path);
  const second = await head_of(session, path);
  session.destroy();
  finish(0, { statuses: [first, second] });
}

async function unfinished() {
  const session = connect();
  let goaway = null;
  const closed = new Promise((resolve) => session.on('close', resolve));
  session.on('goaway', (code) => { goaway = code; });
  const r = await exchange(session, { ':method': 'POST', ':path': '/publish' }, 'topic=t&data=', false);
  await closed;
  finish(0, { status: r.status, rst_code: r.rst_code, text: r.text, goaway_code: goaway });
}

async function early() {
  const session = connect();
  const r = await exchange(session, { ':method': 'POST', ':path': '/publish' }, 'x'.repeat(100), false);
  const report = { status: r.status, rst_code: r.rst_code, session_open: !session.closed };
  session.close();
  finish(0, report);
}

const cases = {
  early,
  held: () => held(arg),
  stuck: () => stuck(arg),
  unfinished,
  idle,
  reopen: () => reopen(Number(arg ?? 100000)),
  streams: () => streams(Number(arg ?? 50)),
  reset,
  settings,
  window: () => window(Number(arg ?? 100000)),
};
if (!cases[kind]) finish(1, { error: 'unknown case ' + kind });
else cases[kind]().catch((e) => finish(1, { error: String(e && e.message || e) }));
