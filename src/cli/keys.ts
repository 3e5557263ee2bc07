import { randomBytes } from 'node:crypto';
import { id as idSchema } from '../config/schema.js';
import { keyHash, newApiKey } from '../shared/hashing.js';
import { EXIT, printJson, type CliIo } from './io.js';

export interface KeysNewOptions {
  id?: string;
  json?: boolean;
}

/** The `--json` shape of `keys new`. */
export interface NewKeyReport {
  id: string;
  key: string;
  keyHash: string;
  /** An entry to paste under `keys:` in gateway.yaml; it holds the hash, never the key. */
  yaml: string;
}

/**
 * `codex-lb keys new`: a fresh client key and the `sha256:` hash to configure. Only the hash goes
 * into gateway.yaml, so the key is shown this once, on stdout, and nowhere else.
 */
export function keysNewCommand(options: KeysNewOptions, io: CliIo): number {
  const id = options.id ?? `key-${randomBytes(3).toString('hex')}`;
  const valid = idSchema.safeParse(id);
  if (!valid.success) {
    io.err(`error: invalid --id '${id}': ${valid.error.issues[0]?.message ?? 'not a valid id'}\n`);
    return EXIT.usage;
  }
  const key = newApiKey();
  const hash = keyHash(key);
  const yaml = [`  - id: ${id}`, `    keyHash: ${hash}`, '    # models: [...]     # allowed models; omitted = all', '    # policies: [...]   # rate-limit policies'].join('\n');
  if (options.json) {
    const report: NewKeyReport = { id, key, keyHash: hash, yaml: `${yaml}\n` };
    printJson(io, report);
    return EXIT.ok;
  }
  io.out(
    [
      'API key (shown once; give it to the client now, it cannot be recovered):',
      '',
      `  ${key}`,
      '',
      `keyHash: ${hash}`,
      '',
      'Add this entry under `keys:` in gateway.yaml (set auth.enabled: true to require keys):',
      '',
      yaml,
      '',
    ].join('\n'),
  );
  return EXIT.ok;
}
