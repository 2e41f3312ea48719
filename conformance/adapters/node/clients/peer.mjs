// Loads an npm package installed in conformance/peers (the adapters keep no node_modules of their
// own, so one `npm ci` there serves every Node adapter and peer server).
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { pathToFileURL } from 'node:url';

const peersManifest = new URL('../../../peers/package.json', import.meta.url);
const require = createRequire(peersManifest);

/** Imports `name` from conformance/peers/node_modules; throws a message saying how to install it. */
export async function importPeer(name) {
  let resolved;
  try {
    resolved = require.resolve(name);
  } catch {
    throw new Error(`npm package "${name}" is not installed: run "npm ci" in conformance/peers`);
  }
  return import(pathToFileURL(resolved).href);
}

/** The installed version of `name`, or "unknown". Read from the file, not through require(), since
 * a package whose "exports" leave out package.json (better-sse, h3, ...) refuses that. */
export function peerVersion(name) {
  try {
    return JSON.parse(readFileSync(new URL(`node_modules/${name}/package.json`, peersManifest), 'utf8')).version;
  } catch {
    return 'unknown';
  }
}
