import { dirname, isAbsolute, resolve } from 'node:path';
import type { GatewayConfig } from './schema.js';

/**
 * `storage:` with its relative paths (a `sqlite:` file, `spoolDir`) resolved against the
 * directory of gateway.yaml, so `codex-lb start --config /etc/codex-lb/gateway.yaml` finds the
 * same data whatever the working directory, and two configs in two folders never share a spool.
 */
export function resolveStoragePaths(storage: GatewayConfig['storage'], configFile: string): GatewayConfig['storage'] {
  const base = dirname(resolve(configFile));
  const at = (path: string) => (isAbsolute(path) ? path : resolve(base, path));
  let url = storage.url;
  if (url.startsWith('sqlite:') && !url.startsWith('sqlite://')) {
    const path = url.slice('sqlite:'.length);
    if (path !== ':memory:' && path !== '') url = `sqlite:${at(path)}`;
  }
  return { ...storage, url, spoolDir: at(storage.spoolDir) };
}
