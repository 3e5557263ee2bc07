import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ROOT } from './cli-options.js';

/**
 * The Node flags `npm start` runs the gateway with (package.json's `start` script, the flags
 * between `node` and the script), so the bench measures the gateway as it is shipped. The bare
 * proxy gets the same flags: they are the runtime's settings, not the gateway's code, and the
 * ratio should only show the code.
 */
export function startScriptNodeFlags(): string[] {
  const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { scripts?: Record<string, string> };
  const words = (pkg.scripts?.start ?? '').split(/\s+/);
  const flags: string[] = [];
  for (const word of words.slice(words.indexOf('node') + 1)) {
    if (!word.startsWith('--')) break;
    flags.push(word);
  }
  return flags;
}
