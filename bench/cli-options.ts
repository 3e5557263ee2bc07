import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The repository root (bench scripts run from anywhere). */
export const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');

/** The bench scripts' command line: `--name <number>` options and bare `--flags`. */
export const ARGS = process.argv.slice(2);

export function numberOption(name: string, fallback: number): number {
  const at = ARGS.indexOf(`--${name}`);
  return at === -1 ? fallback : Number(ARGS[at + 1]);
}
