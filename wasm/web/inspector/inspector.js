// The inspector page: a stream (from a URL, through EventSourceClient, or pasted) read by the
// package's SseParser (records: events, comments, retry) and SseValidator (observations), with
// every connection, reconnect and raw line shown.
import { EventSourceClient, SseParser, SseValidator } from '../pkg/index.js';
import { RawLines } from './raw_lines.js';

// The validator is a module of its own (loaded on first use): this page needs it from the start.
await SseValidator.load();

const $ = (id) => document.getElementById(id);
const MAX_ROWS = 2000;  // per table: a stream that never ends must not grow the page for ever

function cell(row, text, className) {
  const td = document.createElement('td');
  td.textContent = text;
  if (className) td.className = className;
  row.append(td);
  return td;
}

function append(tableId, row) {
  const body = $(tableId).tBodies[0];
  body.append(row);
  if (body.rows.length > MAX_ROWS) body.firstElementChild.remove();
}

/** One inspection: possibly several connections to one URL, or one pasted stream. */
class Session {
  constructor() {
    for (const id of ['records', 'observations', 'raw']) $(id).tBodies[0].replaceChildren();
    this.parser = new SseParser({ maxLineLength: 1 << 20, maxEventSize: 1 << 24 });
    this.validator = new SseValidator({ maxLineLength: 1 << 20, maxEventSize: 1 << 24 });
    this.started = performance.now();
    this.connection = 0;
    this.raw = new RawLines();
    this.counts = { bytes: 0, events: 0, comments: 0, retries: 0, error: 0, warning: 0, info: 0 };
    this.record = 0;
    this.closed = false;
  }

  /** A new response (or the pasted text): parser and validator start a new stream. */
  connect(detail) {
    if (this.connection > 0) this.finish();
    this.connection++;
    this.parser.reset();
    this.validator.reset();
    this.raw = new RawLines();
    this.row('connect', '', '', detail);
  }

  feed(bytes) {
    this.counts.bytes += bytes.length;
    let records;
    try {
      records = this.parser.feedRecords(bytes);
    } catch (error) {
      records = error.events ?? [];
      this.row('error', '', '', `parser: ${error.message}`);
    }
    for (const line of this.raw.push(bytes)) this.rawRow(line);
    for (const r of records) {
      if ('type' in r) {
        this.counts.events++;
        this.row('event', r.type, r.lastEventId, r.data);
      } else if ('retry' in r) {
        this.counts.retries++;
        this.row('retry', '', '', `reconnection time ${r.retry} ms`);
      } else {
        this.counts.comments++;
        this.row('comment', '', '', r.comment);
      }
    }
    for (const o of this.validator.feed(bytes)) this.observation(o);
    this.summary();
  }

  /** The end of one connection's stream. */
  finish() {
    if (this.parser.freed) return;
    try {
      this.parser.end();
    } catch {
      // already ended by a limit error: nothing more to drop
    }
    for (const line of this.raw.end()) this.rawRow(line);
    for (const o of this.validator.end()) this.observation(o);
    this.summary();
  }

  close() {
    if (this.closed) return;
    this.finish();
    this.closed = true;
    this.parser.free();
    this.validator.free();
  }

  row(kind, type, id, detail) {
    const row = document.createElement('tr');
    row.className = `record record-${kind}`;
    cell(row, String(++this.record));
    cell(row, `${((performance.now() - this.started) / 1000).toFixed(3)} s`, 'mono');
    cell(row, String(this.connection));
    cell(row, kind, `kind kind-${kind}`);
    cell(row, type, 'mono type');
    cell(row, id, 'mono id');
    cell(row, detail, 'mono data');
    append('records', row);
  }

  rawRow(line) {
    const row = document.createElement('tr');
    row.className = 'raw-line';
    cell(row, String(this.connection));
    cell(row, String(line.number));
    cell(row, String(line.offset), 'mono');
    const bytes = cell(row, line.text, 'mono');
    const end = document.createElement('span');
    end.className = 'ctl';
    end.textContent = line.ending;
    bytes.append(end);
    append('raw', row);
  }

  observation(o) {
    this.counts[o.severity]++;
    const row = document.createElement('tr');
    row.className = `observation sev-row-${o.severity}`;
    cell(row, o.severity, `sev-${o.severity}`);
    cell(row, o.code, 'mono code');
    cell(row, `conn ${this.connection}, line ${o.line}, byte ${o.offset}`, 'muted');
    cell(row, o.message);
    const line = this.raw.line(o.line);
    cell(row, line ? line.text + line.ending : '(not yet complete)', 'mono raw');
    append('observations', row);
  }

  summary() {
    const c = this.counts;
    $('summary').textContent =
      `${c.bytes} bytes, ${this.connection} connection(s): ${c.events} events, ${c.comments} comments, ` +
      `${c.retries} retry fields; observations: ${c.error} errors, ${c.warning} warnings, ${c.info} notes.`;
  }
}

let session = null;
let client = null;

function stop() {
  client?.close();
  client = null;
  session?.close();
  $('url-go').disabled = false;
  $('url-stop').disabled = true;
}

// EventSourceClient does the connecting; this fetch shows each response and copies its bytes to
// the session on their way to the client.
function tappingFetch(current) {
  return async (url, init) => {
    const res = await fetch(url, init);
    if (current !== session) return res;
    const lastId = init.headers.get('last-event-id');
    current.connect(`HTTP ${res.status}, Content-Type: ${res.headers.get('content-type') ?? '(none)'}` +
      (lastId !== null ? `, sent Last-Event-ID: ${lastId}` : ''));
    if (!res.body || [204, 205, 304].includes(res.status)) return res;
    const tapped = res.body.pipeThrough(new TransformStream({
      transform(chunk, controller) {
        if (current === session && !current.closed) current.feed(chunk);
        controller.enqueue(chunk);
      },
      flush() {
        if (current === session && !current.closed) current.finish();
      },
    }));
    return new Response(tapped, { status: res.status, statusText: res.statusText, headers: res.headers });
  };
}

$('url-form').addEventListener('submit', (e) => {
  e.preventDefault();
  stop();
  const current = (session = new Session());
  client = new EventSourceClient($('url').value, { fetch: tappingFetch(current) });
  client.onopen = () => current.row('open', '', '', 'readyState OPEN: dispatching events');
  client.onerror = () => {
    if (!client) return;
    if (client.readyState === EventSourceClient.CLOSED) {
      current.row('error', '', '', `connection failed for good (${client.failureReason ?? 'closed'}): no reconnect`);
      stop();
    } else {
      current.row('error', '', '', `connection lost: reconnecting in ${client.reconnectionTime} ms` +
        (client.lastEventId ? ` with Last-Event-ID ${client.lastEventId}` : ''));
    }
  };
  $('url-go').disabled = true;
  $('url-stop').disabled = false;
});

$('url-stop').addEventListener('click', stop);

$('paste-form').addEventListener('submit', (e) => {
  e.preventDefault();
  stop();
  const ends = { lf: '\n', crlf: '\r\n', cr: '\r' }[$('ends').value];
  const text = $('paste').value.replace(/\r\n|\r|\n/g, ends);
  session = new Session();
  session.connect(`pasted text, ${text.length} characters, line ends ${$('ends').value.toUpperCase()}`);
  session.feed(new TextEncoder().encode(text));
  session.close();
});
