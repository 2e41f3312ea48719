// Starts the reference sse-server on 127.0.0.1, port 0, for the suites that need one.
//
// The binary comes from SSE_SERVER (ctest sets it from the CMake cache variable
// SSE_SERVER_BINARY), else build/dev/server/sse-server. `serverSkip` is a reason to skip (a string)
// when it does not exist, so a test run without the native build says why instead of failing.
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

export const serverBinary =
  process.env.SSE_SERVER ?? fileURLToPath(new URL('../../build/dev/server/sse-server', import.meta.url));
export const serverSkip = existsSync(serverBinary)
  ? false
  : `sse-server not found at ${serverBinary}: build the dev preset (target sse-server) or set SSE_SERVER`;

/**
 * Runs sse-server with `args` (plus --port 0 and JSON logs) and resolves, within 15 s, to
 * { url, origin, stop() } once it logs the port it listens on (origin is https:// with
 * --tls-cert).
 */
export function startServer(args = []) {
  const child = spawn(serverBinary, ['--port', '0', '--address', '127.0.0.1', '--log-format', 'json', '--log-level', 'info', ...args], {
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  return new Promise((resolve, reject) => {
    let log = '';
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`sse-server did not report its port within 15 s; its log:\n${log}`));
    }, 15000);
    child.on('error', (error) => {
      clearTimeout(timer);
      reject(error);
    });
    child.on('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`sse-server exited (${code}) before listening; its log:\n${log}`));
    });
    child.stderr.setEncoding('utf8');
    child.stderr.on('data', (chunk) => {
      log += chunk;
      for (const line of log.split('\n')) {
        if (!line.startsWith('{')) continue;
        let entry;
        try {
          entry = JSON.parse(line);
        } catch {
          continue;  // a partial line
        }
        if (entry.msg === 'listening' && entry.port) {
          clearTimeout(timer);
          child.removeAllListeners('exit');
          child.stderr.removeAllListeners('data');
          child.stderr.resume();
          // The first listener's URL: https:// when the server was given --tls-cert.
          const origin = entry.url ? entry.url.replace(/\/$/, '') : `http://127.0.0.1:${entry.port}`;
          resolve({
            origin,
            url: (path) => origin + path,
            stop: () =>
              new Promise((done) => {
                if (child.exitCode !== null) return done();
                const kill = setTimeout(() => child.kill('SIGKILL'), 5000);
                child.once('exit', () => {
                  clearTimeout(kill);
                  done();
                });
                child.kill('SIGTERM');
              }),
          });
          return;
        }
      }
    });
  });
}

/** base64url of a JSON value, for /conformance/echo?events=. */
export const b64 = (value) => Buffer.from(typeof value === 'string' ? value : JSON.stringify(value)).toString('base64url');

/** Resolves when `predicate()` holds, checking every 10 ms; rejects after `ms` (a hang guard). */
export function until(predicate, ms = 10000, what = 'condition') {
  return new Promise((resolve, reject) => {
    const start = Date.now();
    const tick = () => {
      let ok;
      try {
        ok = predicate();
      } catch (error) {
        return reject(error);
      }
      if (ok) return resolve();
      if (Date.now() - start > ms) return reject(new Error(`timed out after ${ms} ms waiting for ${what}`));
      setTimeout(tick, 10);
    };
    tick();
  });
}
