// Loads an npm package installed in conformance/peers (the adapters keep no node_modules of their
// own, so one `npm ci` there serves every Node adapter and peer server).
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

/** The installed version of `name`, or "unknown". */
export function peerVersion(name) {
  try {
    return require(`${name}/package.json`).version;
  } catch {
    return 'unknown';
  }
}
