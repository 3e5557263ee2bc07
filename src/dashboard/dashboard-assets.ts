import { readdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, extname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * The dashboard's browser files: plain ES modules, CSS and an SVG icon under
 * `src/dashboard/client/` (no build step), plus graphql-ws's UMD client from node_modules. They
 * are read from the package as they are, so `dist/` and the sources serve the same files.
 */
export interface DashboardAsset {
  /** Name under `/dashboard/assets/`. */
  name: string;
  /** Absolute path. */
  file: string;
  type: string;
}

const TYPES: Readonly<Record<string, string>> = {
  '.js': 'text/javascript',
  '.css': 'text/css',
  '.svg': 'image/svg+xml',
};

/** `src/dashboard/client/`, from the sources (tests, tsx) or from `dist/src/dashboard/` (the built CLI). */
export function clientDirectory(): string {
  for (const up of ['./client/', '../../../src/dashboard/client/']) {
    const dir = fileURLToPath(new URL(up, import.meta.url));
    try {
      if (readdirSync(dir).includes('index.html')) return dir;
    } catch {
      // try the next candidate
    }
  }
  throw new Error('codex-lb: the dashboard files (src/dashboard/client/) were not found next to the package');
}

/** Every servable file, looked up by name only: no path from a request ever reaches the disk. */
export function dashboardAssets(dir = clientDirectory()): Map<string, DashboardAsset> {
  const assets = new Map<string, DashboardAsset>();
  for (const name of readdirSync(dir)) {
    const type = TYPES[extname(name)];
    if (type !== undefined) assets.set(name, { name, file: join(dir, name), type });
  }
  const require = createRequire(import.meta.url);
  const graphqlWs = dirname(require.resolve('graphql-ws/package.json'));
  assets.set('graphql-ws.min.js', { name: 'graphql-ws.min.js', file: join(graphqlWs, 'umd/graphql-ws.min.js'), type: 'text/javascript' });
  return assets;
}
