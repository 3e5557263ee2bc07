import { randomBytes } from 'node:crypto';
import { chmodSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';

/**
 * The key that encrypts secrets at rest. `CODEX_LB_ENCRYPTION_KEY` (32 bytes as base64 or hex)
 * wins, which is what several instances sharing one MySQL store need; otherwise a key file is
 * read, or created once with mode 0600 (`CODEX_LB_ENCRYPTION_KEY_FILE`, default next to the
 * SQLite database, else ./data). Losing the key only costs the stored refreshed tokens: the
 * gateway falls back to the configured ones.
 */
export const ENCRYPTION_KEY_ENV = 'CODEX_LB_ENCRYPTION_KEY';
export const ENCRYPTION_KEY_FILE_ENV = 'CODEX_LB_ENCRYPTION_KEY_FILE';
export const KEY_FILE_NAME = 'codex-lb.key';

export interface EncryptionKey {
  key: Buffer;
  /** Where it came from, for the startup log (never the key itself). */
  source: string;
}

export function parseKeyText(text: string): Buffer | null {
  const trimmed = text.trim();
  if (/^[0-9a-fA-F]{64}$/.test(trimmed)) return Buffer.from(trimmed, 'hex');
  const bytes = Buffer.from(trimmed, 'base64');
  return bytes.length === 32 ? bytes : null;
}

/** The default key file: next to a SQLite database, else under ./data. */
export function defaultKeyFile(storageUrl: string): string {
  if (storageUrl.startsWith('sqlite:')) {
    const path = storageUrl.slice('sqlite:'.length).replace(/^\/\//, '');
    if (path !== ':memory:' && path !== '') return join(dirname(resolve(path)), KEY_FILE_NAME);
  }
  return resolve('data', KEY_FILE_NAME);
}

export function loadEncryptionKey(env: NodeJS.ProcessEnv, storageUrl: string): EncryptionKey {
  const fromEnv = env[ENCRYPTION_KEY_ENV];
  if (fromEnv !== undefined && fromEnv.trim() !== '') {
    const key = parseKeyText(fromEnv);
    if (key === null) throw new Error(`${ENCRYPTION_KEY_ENV} must be 32 bytes, as 64 hex digits or base64`);
    return { key, source: ENCRYPTION_KEY_ENV };
  }
  const file = env[ENCRYPTION_KEY_FILE_ENV]?.trim() || defaultKeyFile(storageUrl);
  let text: string | null = null;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
  }
  if (text !== null) {
    const key = parseKeyText(text);
    if (key === null) throw new Error(`encryption key file ${file} does not hold a 32-byte key (64 hex digits or base64)`);
    return { key, source: file };
  }
  const key = randomBytes(32);
  mkdirSync(dirname(file), { recursive: true });
  // `wx`: never overwrite a key another process created meanwhile (it would orphan its data).
  try {
    writeFileSync(file, `${key.toString('base64')}\n`, { mode: 0o600, flag: 'wx' });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EEXIST') return loadEncryptionKey(env, storageUrl);
    throw error;
  }
  chmodSync(file, 0o600);
  return { key, source: file };
}
