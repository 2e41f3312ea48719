#!/usr/bin/env node
// An MCP server on the official TypeScript SDK (npm @modelcontextprotocol/sdk): McpServer +
// StreamableHTTPServerTransport with sessions, an in-memory event store (resumable streams, priming
// events) and Origin validation, as the example server of `sse-conformance --profile mcp`.
// One tool, `countdown`, sends three notifications/progress (when the call has a progressToken)
// 150 ms apart before its result, so its answer is a real SSE stream.
//
//   node mcp-server.mjs [--port N] [--broken VARIANT] [--list-broken]
//
// Endpoint: POST/GET/DELETE /mcp. Prints "args [...]" (the -d of a countdown call) and
// "listening http://127.0.0.1:PORT/mcp". --broken VARIANT alters the HTTP layer around the SDK so
// that one case fails (--list-broken: "VARIANT CASE_ID" lines).
import http from 'node:http';
import { randomUUID } from 'node:crypto';
import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { StreamableHTTPServerTransport } from '@modelcontextprotocol/sdk/server/streamableHttp.js';
import { isInitializeRequest } from '@modelcontextprotocol/sdk/types.js';

const variants = {
  'wrong-id': 'mcp/initialize/1',           // the initialize response carries another id
  'session-space': 'mcp/session/1',         // the session id has a space in it
  'no-session-check': 'mcp/session/2',      // a request without the session header is given the last one
  'accept-any': 'mcp/accept/1',             // every POST is treated as accepting both types
  'get-json': 'mcp/get/1',                  // GET answers 200 application/json
  'drop-response': 'mcp/response/1',        // the response event is left out of SSE answers
  'no-priming': 'mcp/priming/1',            // the priming event is left out
  'replay-all': 'mcp/resume/1',             // Last-Event-ID replays the whole stream, that event included
  'no-origin-check': 'mcp/origin/1',        // Origin validation off
  'delete-ignored': 'mcp/delete/1',         // DELETE answers 200 and the session lives on
};

const argv = process.argv.slice(2);
let port = 0;
let broken = '';
for (let i = 0; i < argv.length; i++) {
  if (argv[i] === '--port') port = Number(argv[++i]);
  else if (argv[i] === '--broken') broken = argv[++i];
  else if (argv[i] === '--list-broken') {
    for (const [v, id] of Object.entries(variants)) console.log(`${v} ${id}`);
    process.exit(0);
  } else if (argv[i] === '--help' || argv[i] === '-h') {
    console.log('usage: node mcp-server.mjs [--port N] [--broken VARIANT] [--list-broken]');
    process.exit(0);
  } else {
    console.error(`mcp-server: unknown argument ${argv[i]}`);
    process.exit(2);
  }
}
if (broken && !variants[broken]) {
  console.error(`mcp-server: unknown --broken variant ${broken} (see --list-broken)`);
  process.exit(2);
}

// Event ids "STREAM_SEQ": the stream they belong to, then a counter (sorts in order).
class EventStore {
  constructor() { this.events = []; this.seq = 0; }
  async storeEvent(streamId, message) {
    const eventId = `${streamId}_${String(++this.seq).padStart(8, '0')}`;
    this.events.push({ eventId, streamId, message });
    return eventId;
  }
  async getStreamIdForEventId(eventId) {
    const e = this.events.find((x) => x.eventId === eventId);
    return e ? e.streamId : undefined;
  }
  async replayEventsAfter(lastEventId, { send }) {
    const at = this.events.findIndex((x) => x.eventId === lastEventId);
    if (at < 0) return '';
    const { streamId } = this.events[at];
    // replay-all: the whole stream again, the Last-Event-ID event included.
    const from = broken === 'replay-all' ? this.events.findIndex((x) => x.streamId === streamId) : at + 1;
    for (const e of this.events.slice(from)) if (e.streamId === streamId) await send(e.eventId, e.message);
    return streamId;
  }
}

function newServer() {
  const server = new McpServer({ name: 'sse-conformance-mcp-example', version: '1.0.0' });
  server.registerTool('countdown', { description: 'sends three progress notifications, then "liftoff"' },
    async (extra) => {
      const token = extra._meta?.progressToken;
      for (let i = 1; i <= 3; i++) {
        if (token !== undefined) {
          await extra.sendNotification({ method: 'notifications/progress', params: { progressToken: token, progress: i, total: 3 } });
        }
        await new Promise((r) => setTimeout(r, 150));
      }
      return { content: [{ type: 'text', text: 'liftoff' }] };
    });
  return server;
}

const transports = new Map();
let lastSession;
let origin = '';

function setRequestHeader(req, name, value) {
  req.headers[name] = value;
  const raw = [];
  for (let i = 0; i < req.rawHeaders.length; i += 2) {
    if (req.rawHeaders[i].toLowerCase() !== name) raw.push(req.rawHeaders[i], req.rawHeaders[i + 1]);
  }
  raw.push(name, value);
  req.rawHeaders = raw;
}

// Rewrites what the SDK writes, for the variants that alter answers.
function alterResponse(res, body) {
  const writeHead = res.writeHead.bind(res);
  res.writeHead = (status, ...rest) => {
    const headers = rest.find((x) => x && typeof x === 'object');
    if (broken === 'session-space' && headers) {
      for (const k of Object.keys(headers)) {
        if (k.toLowerCase() === 'mcp-session-id') headers[k] = headers[k].replace('-', ' ');
      }
    }
    if (broken === 'session-space' && res.getHeader('mcp-session-id')) {
      res.setHeader('mcp-session-id', String(res.getHeader('mcp-session-id')).replace('-', ' '));
    }
    return writeHead(status, ...rest);
  };
  const write = res.write.bind(res);
  const end = res.end.bind(res);
  const alter = (chunk) => {
    if (chunk === undefined || chunk === null) return chunk;
    let text = typeof chunk === 'string' ? chunk : Buffer.from(chunk).toString('utf8');
    if (broken === 'wrong-id' && body?.method === 'initialize') {
      text = text.split(JSON.stringify(body.id)).join(JSON.stringify(`${body.id}-not-this-one`));
    }
    if (broken === 'drop-response' && body?.method !== 'initialize') {
      text = text.split('\n\n').filter((ev) => !/"(result|error)":/.test(ev)).join('\n\n');
    }
    if (broken === 'no-priming') {
      text = text.split('\n\n').filter((ev) => !/^id: [^\n]*\n(retry: \d+\n)?data: ?$/.test(ev)).join('\n\n');
    }
    return text;
  };
  res.write = (chunk, ...rest) => {
    const text = alter(chunk);
    return text === '' ? true : write(text, ...rest);
  };
  res.end = (chunk, ...rest) => (typeof chunk === 'function' || chunk === undefined ? end(chunk, ...rest) : end(alter(chunk), ...rest));
}

async function readBody(req) {
  const chunks = [];
  for await (const c of req) chunks.push(c);
  const text = Buffer.concat(chunks).toString('utf8');
  if (!text) return undefined;
  try { return JSON.parse(text); } catch { return text; }
}

function jsonError(res, status, message) {
  res.writeHead(status, { 'content-type': 'application/json' });
  res.end(JSON.stringify({ jsonrpc: '2.0', error: { code: -32000, message }, id: null }));
}

const httpServer = http.createServer(async (req, res) => {
  try {
    const url = new URL(req.url, 'http://x');
    if (url.pathname !== '/mcp') return jsonError(res, 404, 'not found: the MCP endpoint is /mcp');
    const body = req.method === 'POST' ? await readBody(req) : undefined;
    if (broken === 'accept-any' && req.method === 'POST') setRequestHeader(req, 'accept', 'application/json, text/event-stream');
    if (broken === 'no-session-check' && !req.headers['mcp-session-id'] && lastSession && !isInitializeRequest(body)) {
      setRequestHeader(req, 'mcp-session-id', lastSession);
    }
    if (broken === 'get-json' && req.method === 'GET') {
      res.writeHead(200, { 'content-type': 'application/json' });
      return res.end('{}');
    }
    let sid = req.headers['mcp-session-id'];
    if (broken === 'session-space' && sid) sid = sid.replace(' ', '-');
    if (broken === 'delete-ignored' && req.method === 'DELETE' && transports.has(sid)) {
      res.writeHead(200);
      return res.end();
    }
    let transport = sid ? transports.get(sid) : undefined;
    if (sid && !transport) return jsonError(res, 404, 'Session not found');
    if (!transport) {
      if (req.method !== 'POST' || !isInitializeRequest(body)) {
        return jsonError(res, 400, 'Bad Request: no valid session id (Mcp-Session-Id) given');
      }
      transport = new StreamableHTTPServerTransport({
        sessionIdGenerator: () => randomUUID(),
        eventStore: new EventStore(),
        enableDnsRebindingProtection: broken !== 'no-origin-check',
        allowedOrigins: [origin],
        allowedHosts: [new URL(origin).host],
        onsessioninitialized: (id) => { transports.set(id, transport); lastSession = id; },
      });
      transport.onclose = () => { if (transport.sessionId) transports.delete(transport.sessionId); };
      await newServer().connect(transport);
    }
    if (sid) setRequestHeader(req, 'mcp-session-id', sid);
    alterResponse(res, body);
    await transport.handleRequest(req, res, body);
  } catch (e) {
    console.error('mcp-server:', e);
    if (!res.headersSent) jsonError(res, 500, String(e));
    else res.end();
  }
});

httpServer.listen(port, '127.0.0.1', () => {
  const p = httpServer.address().port;
  origin = `http://127.0.0.1:${p}`;
  const call = { jsonrpc: '2.0', id: 1, method: 'tools/call', params: { name: 'countdown', arguments: {}, _meta: { progressToken: 'sse-conformance' } } };
  console.log(`args ${JSON.stringify(['-d', JSON.stringify(call)])}`);
  console.log(`listening ${origin}/mcp`);
});
for (const s of ['SIGTERM', 'SIGINT']) process.on(s, () => process.exit(0));
