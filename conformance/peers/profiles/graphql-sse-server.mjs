#!/usr/bin/env node
// A GraphQL over SSE server on graphql-sse's own handler (npm graphql-sse, `createHandler` from
// graphql-sse/lib/use/http, on node:http), distinct connections mode, as the example server of
// `sse-conformance --profile graphql-sse`. Schema: `Query { hello }` and
// `Subscription { countdown(from: Int = 3): Int }`, which yields from..1, 50 ms apart.
//
//   node graphql-sse-server.mjs [--port N] [--broken VARIANT] [--list-broken]
//
// Endpoint: POST/GET /graphql/stream. Prints "args [...]" (the -d of a countdown subscription)
// and "listening http://127.0.0.1:PORT/graphql/stream". --broken VARIANT alters the HTTP layer
// around the handler so that one case fails (--list-broken: "VARIANT CASE_ID" lines).
import http from 'node:http';
import { Readable } from 'node:stream';
import { GraphQLInt, GraphQLObjectType, GraphQLSchema, GraphQLString } from 'graphql';
import { createHandler } from 'graphql-sse/lib/use/http';

const variants = {
  'json-content-type': 'graphql-sse/stream/1',  // the stream is labelled application/json
  'bad-next-data': 'graphql-sse/next/1',        // next data is not JSON
  'no-complete': 'graphql-sse/complete/1',      // the stream ends without its complete event
  'event-data': 'graphql-sse/event/1',          // next events are sent as `event: data`
  'validation-400': 'graphql-sse/validation/1', // validation errors answer 400 JSON
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
    console.log('usage: node graphql-sse-server.mjs [--port N] [--broken VARIANT] [--list-broken]');
    process.exit(0);
  } else {
    console.error(`graphql-sse-server: unknown argument ${argv[i]}`);
    process.exit(2);
  }
}
if (broken && !variants[broken]) {
  console.error(`graphql-sse-server: unknown --broken variant ${broken} (see --list-broken)`);
  process.exit(2);
}

const schema = new GraphQLSchema({
  query: new GraphQLObjectType({ name: 'Query', fields: { hello: { type: GraphQLString, resolve: () => 'world' } } }),
  subscription: new GraphQLObjectType({
    name: 'Subscription',
    fields: {
      countdown: {
        type: GraphQLInt,
        args: { from: { type: GraphQLInt, defaultValue: 3 } },
        subscribe: async function* (_root, { from }) {
          for (let i = from; i > 0; i--) {
            await new Promise((r) => setTimeout(r, 50));
            yield { countdown: i };
          }
        },
      },
    },
  }),
});

const handler = createHandler({ schema });

// Rewrites the events the handler writes, for the variants that alter the stream.
function alterResponse(req, res) {
  const writeHead = res.writeHead.bind(res);
  res.writeHead = (status, ...rest) => {
    const headers = rest.find((x) => x && typeof x === 'object');
    if (broken === 'json-content-type' && headers) {
      for (const k of Object.keys(headers)) if (k.toLowerCase() === 'content-type') headers[k] = 'application/json';
    }
    return writeHead(status, ...rest);
  };
  const write = res.write.bind(res);
  res.write = (chunk, ...rest) => {
    let text = typeof chunk === 'string' ? chunk : Buffer.from(chunk).toString('utf8');
    if (broken === 'bad-next-data') text = text.replace(/^(event: next\ndata:) ?\{/m, '$1 not json {');
    // An empty write: the handler's callback still runs, so it goes on to end the response.
    if (broken === 'no-complete' && /^event: complete$/m.test(text)) return write('', ...rest);
    if (broken === 'event-data') text = text.replace(/^event: next$/m, 'event: data');
    return write(text, ...rest);
  };
}

const httpServer = http.createServer(async (req, res) => {
  try {
    const url = new URL(req.url, 'http://x');
    if (url.pathname !== '/graphql/stream') {
      res.writeHead(404, { 'content-type': 'text/plain' });
      return res.end('not found: the endpoint is /graphql/stream\n');
    }
    let target = req;
    if (broken === 'validation-400') {
      // Reads the operation first; an unknown field answers as GraphQL over HTTP does for JSON.
      const chunks = [];
      for await (const c of req) chunks.push(c);
      const text = Buffer.concat(chunks).toString('utf8');
      if (/sseConformanceNoSuchField/.test(text)) {
        res.writeHead(400, { 'content-type': 'application/json' });
        return res.end(JSON.stringify({ errors: [{ message: 'Cannot query field "sseConformanceNoSuchField"' }] }));
      }
      target = Object.assign(Readable.from([Buffer.from(text)]), { method: req.method, url: req.url, headers: req.headers });
    }
    alterResponse(req, res);
    await handler(target, res);
  } catch (e) {
    console.error('graphql-sse-server:', e);
    if (!res.headersSent) {
      res.writeHead(500, { 'content-type': 'text/plain' });
      res.end(String(e));
    } else res.end();
  }
});

httpServer.listen(port, '127.0.0.1', () => {
  const p = httpServer.address().port;
  console.log(`args ${JSON.stringify(['-d', JSON.stringify({ query: 'subscription { countdown(from: 3) }' })])}`);
  console.log(`listening http://127.0.0.1:${p}/graphql/stream`);
});
for (const s of ['SIGTERM', 'SIGINT']) process.on(s, () => process.exit(0));
