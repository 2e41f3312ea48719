// Shared by the LLM example servers (openai-chat-server.mjs, openai-responses-server.mjs,
// anthropic-server.mjs): a plain node:http server that accepts the API's POST (a JSON body it
// checks: 400 otherwise) and answers with a recorded-shape stream, one frame every few
// milliseconds, then ends it, as the real APIs do. --broken VARIANT changes the stream so that one
// profile case fails (run-profile --broken).
import http from 'node:http';

/** An SSE frame: `event:` line when `event` is given, the data as one `data:` line. */
export function frame(data, event) {
  const text = typeof data === 'string' ? data : JSON.stringify(data);
  return (event ? `event: ${event}\n` : '') + `data: ${text}\n\n`;
}

/**
 * Runs an example server.
 *   name     the profile (for messages)
 *   path     where the API lives (/v1/chat/completions ...)
 *   request  the body the suite should send (printed as `args ["-d", ...]`)
 *   check    (body) => an error message for a body the API would refuse, or null
 *   frames   (body, variant) => the SSE frames of the answer, in order
 *   variants { VARIANT: CASE_ID }: what --broken takes, and the case each one breaks
 *   usage    the --help text
 */
export function runExample({ name, path, request, check, frames, variants, usage }) {
  const argv = process.argv.slice(2);
  let port = 0;
  let broken = '';
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === '--help' || a === '-h') { console.log(usage); process.exit(0); }
    else if (a === '--list-broken') {
      for (const [v, id] of Object.entries(variants)) console.log(`${v} ${id}`);
      process.exit(0);
    } else if (a === '--port') port = Number(argv[++i]);
    else if (a === '--broken') broken = argv[++i] ?? '';
    else { console.error(`${name}-server: unknown argument ${a}\n\n${usage}`); process.exit(2); }
  }
  if (broken && !(broken in variants)) {
    console.error(`${name}-server: no broken variant '${broken}' (see --list-broken)`);
    process.exit(2);
  }
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    console.error(`${name}-server: --port takes 0..65535`);
    process.exit(2);
  }

  const refuse = (res, status, type, message) => {
    res.writeHead(status, { 'content-type': 'application/json' });
    res.end(JSON.stringify({ error: { type, message } }));
  };

  const server = http.createServer((req, res) => {
    const url = new URL(req.url, 'http://localhost');
    if (url.pathname !== path) return refuse(res, 404, 'not_found', `no route ${url.pathname} (the API is at ${path})`);
    if (req.method !== 'POST') return refuse(res, 405, 'invalid_request_error', 'POST a JSON body');
    const chunks = [];
    req.on('data', (c) => chunks.push(c));
    req.on('end', () => {
      let body;
      try {
        body = JSON.parse(Buffer.concat(chunks).toString('utf8'));
      } catch (e) {
        return refuse(res, 400, 'invalid_request_error', `the body is not JSON: ${e.message}`);
      }
      const problem = body && typeof body === 'object' && !Array.isArray(body) ? check(body) : 'the body is not a JSON object';
      if (problem) return refuse(res, 400, 'invalid_request_error', problem);
      res.writeHead(200, { 'content-type': 'text/event-stream; charset=utf-8', 'cache-control': 'no-cache', 'x-accel-buffering': 'no' });
      const out = frames(body, broken);
      let i = 0;
      const next = () => {
        if (res.destroyed) return;
        if (i === out.length) return res.end();
        res.write(out[i++]);
        setTimeout(next, 5);
      };
      next();
    });
  });
  server.listen(port, '127.0.0.1', () => {
    console.log(`args ${JSON.stringify(['-d', JSON.stringify(request)])}`);
    console.log(`listening http://127.0.0.1:${server.address().port}${path}`);
  });
  const stop = () => server.close(() => process.exit(0));
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
}
