import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { ARGS, ROOT } from './cli-options.js';

/**
 * Builds dist/ (`npm run build`) unless `--no-build`: the benches measure the gateway users run,
 * the compiled output, not the sources through tsx (whose transform adds a helper call to every
 * closure it creates, which showed up in profiles of the hot path).
 */
export function buildDist(write: (line: string) => void): void {
  if (ARGS.includes('--no-build')) return;
  write('building dist/ (npm run build)…');
  const result = spawnSync('npm', ['run', 'build', '--silent'], { cwd: ROOT, stdio: 'inherit' });
  if (result.status !== 0) write('warning: the build reported errors; using what it emitted');
  if (!existsSync(join(ROOT, 'dist/src/main.js'))) throw new Error('dist/src/main.js is missing: the build failed');
}
