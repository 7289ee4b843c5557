import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * The package root and version. The same module runs from src/ under the tests and from
 * dist/src/ when built, so the root is found by walking up to our package.json.
 */
function findPackageRoot(): string {
  let folder = dirname(fileURLToPath(import.meta.url));
  for (;;) {
    try {
      const manifest = JSON.parse(readFileSync(join(folder, 'package.json'), 'utf8')) as { name?: string };
      if (manifest.name === 'lodestar') return folder;
    } catch {
      // keep walking
    }
    const parent = dirname(folder);
    if (parent === folder) throw new Error('lodestar: package.json not found above ' + fileURLToPath(import.meta.url));
    folder = parent;
  }
}

export const PACKAGE_ROOT = findPackageRoot();

const manifest = JSON.parse(readFileSync(join(PACKAGE_ROOT, 'package.json'), 'utf8')) as {
  version: string;
  engines?: { node?: string };
};

export const VERSION: string = manifest.version;
export const REQUIRED_NODE: string = manifest.engines?.node ?? '>=22.19.0';

/** The built entry point of the daemon, which `lodestar start` runs as a detached process. */
export const DAEMON_ENTRY = join(PACKAGE_ROOT, 'dist', 'src', 'daemon', 'main.js');

/**
 * V8 flags for the daemon: a smaller young generation keeps its memory flat under load. A burst
 * of requests otherwise grows the heap to ~250 MB that it keeps; with 16 MB semi-spaces ~175-185
 * MB, with 8 MB ~150-160 MB, for ~4% more CPU a request (paired runs under autocannon, c16 and
 * c64). A router for one developer is rarely CPU-bound; it runs all day, so memory wins. The
 * gateway bench (`npm run bench`) reports what this gives.
 */
export const DAEMON_NODE_FLAGS: readonly string[] = ['--max-semi-space-size=8'];

/** The built entry point of the team server, which `lodestar server` runs attached to its terminal. */
export const SERVER_ENTRY = join(PACKAGE_ROOT, 'dist', 'src', 'server', 'main.js');
