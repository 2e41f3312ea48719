// What every peer server in this folder shares, so that each server file holds only the code that
// uses its library: the command line, the "listening" line run-peer waits for, reading the
// publish form, and, for libraries that have no notion of a channel, a plain topic registry.
import { EventEmitter } from 'node:events';
import http from 'node:http';
import process from 'node:process';

/**
 * Parses `--port N --host ADDR --help`, plus an option for each key of `extra`, whose value is
 * the default: `--NAME VALUE` for a string, the flag `--NAME` (sets true) for a boolean. Exits 0
 * with `usage` on --help, 2 with it on a bad argument. Returns { port, host, ...extra } (defaults
 * 0 and 127.0.0.1).
 */
export function parseServerArgs(name, usage, extra = {}, argv = process.argv.slice(2)) {
  const options = { port: 0, host: '127.0.0.1', ...extra };
  for (let i = 0; i < argv.length; ++i) {
    const key = argv[i].startsWith('--') ? argv[i].slice(2) : '';
    if (argv[i] === '--help' || argv[i] === '-h') { console.log(usage); process.exit(0); }
    else if (typeof extra[key] === 'boolean') options[key] = true;
    else if (Object.hasOwn(options, key) && i + 1 < argv.length) options[key] = argv[++i];
    else { console.error(`${name}: bad argument "${argv[i]}"\n\n${usage}`); process.exit(2); }
  }
  options.port = Number(options.port);
  if (!Number.isInteger(options.port) || options.port < 0 || options.port > 65535) {
    console.error(`${name}: --port must be 0-65535`);
    process.exit(2);
  }
  return options;
}

/**
 * Prints "listening http://ADDR:PORT" for the listening node:http `server` (run-peer waits for
 * that line), and stops the process on SIGTERM or SIGINT, dropping open streams (`onStop` runs
 * first, for timers a library keeps).
 */
export function announce(server, onStop = () => {}) {
  const stop = () => {
    onStop();
    server.close();
    server.closeAllConnections?.();
    process.exit(0);
  };
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
  const a = server.address();
  process.stdout.write(`listening http://${a.address}:${a.port}\n`);
}

/**
 * Reads a node:http request body of at most `limit` bytes as UTF-8; rejects (and destroys the
 * request) beyond it.
 */
export function readBody(req, limit = 1 << 20) {
  return new Promise((resolve, reject) => {
    const parts = [];
    let size = 0;
    req.on('data', (c) => {
      size += c.length;
      if (size > limit) { reject(new Error('body too large')); req.destroy(); } else parts.push(c);
    });
    req.on('end', () => resolve(Buffer.concat(parts).toString('utf8')));
    req.on('error', reject);
  });
}

/**
 * The publish request's fields as sse-conformance's --publish sends them: an
 * application/x-www-form-urlencoded body, falling back to the query. `form` is a URLSearchParams
 * or a plain object (what a framework's body parser gives). Returns { topic, type, data }, with
 * data null when absent; an empty type stays empty (the library's default type then applies).
 */
export function publishFields(form, url) {
  const get = (k) => {
    const v = form instanceof URLSearchParams ? form.get(k) : form?.[k];
    return typeof v === 'string' ? v : url.searchParams.get(k);
  };
  return { topic: get('topic') || 'conformance', type: get('type') ?? '', data: get('data') };
}

/**
 * Topics for libraries with no channel of their own: an EventEmitter that emits each published
 * message as the event `Topics.event(topic)` (so `events.on(topics, Topics.event(topic))` works
 * too), with one id sequence per topic ("1", "2", ...), because each of these libraries leaves ids
 * to the application. Keeps no history: replaying is the library's business, where it has any.
 */
export class Topics extends EventEmitter {
  #next = new Map();

  constructor() {
    super();
    this.setMaxListeners(0);  // one listener per subscriber; the suite opens several at once
  }

  /** The emitter event for `topic` (prefixed, so that a topic named "error" is not special). */
  static event(topic) {
    return `topic ${topic}`;
  }

  /** Calls `listener({ id, type, data })` for each later publish on `topic`; returns an unsubscribe. */
  subscribe(topic, listener) {
    this.on(Topics.event(topic), listener);
    return () => this.off(Topics.event(topic), listener);
  }

  /** Gives the message the topic's next id, hands it to every subscriber, and returns it. */
  publish(topic, { type, data }) {
    const id = this.#next.get(topic) ?? 1;
    this.#next.set(topic, id + 1);
    const message = { id: String(id), type, data };
    this.emit(Topics.event(topic), message);
    return message;
  }
}

/**
 * A node:http server with the routes every plain-Node peer has: `GET /events?topic=T` calls
 * `subscribe(req, res, topic)` (which owns the response from then on), `POST /publish` reads the
 * form and awaits `publish({ topic, type, data })` (400 without data, 204 once it resolves; if it
 * throws, the error's `status` or 502, with its message), `GET /` answers `describe`, anything
 * else 404. Returns the server, not yet listening.
 */
export function createPeerServer({ describe, subscribe, publish }) {
  const text = (res, status, body) => { res.writeHead(status, { 'content-type': 'text/plain' }); res.end(body); };
  return http.createServer(async (req, res) => {
    try {
      const url = new URL(req.url, 'http://peer');
      if (req.method === 'GET' && url.pathname === '/events') {
        await subscribe(req, res, url.searchParams.get('topic') || 'conformance');
        return;
      }
      if (req.method === 'POST' && url.pathname === '/publish') {
        const fields = publishFields(new URLSearchParams(await readBody(req)), url);
        if (fields.data === null) return text(res, 400, 'give data\n');
        try {
          await publish(fields);
        } catch (err) {
          return text(res, err.status ?? 502, `publishing failed: ${err.message}\n`);
        }
        res.writeHead(204);
        res.end();
        return;
      }
      if (req.method === 'GET' && url.pathname === '/') return text(res, 200, `${describe}\n`);
      text(res, 404, 'not found\n');
    } catch (err) {
      if (!res.headersSent) text(res, 500, `${err.message}\n`);
    }
  });
}
