import { existsSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import type { AccountConfig } from '../config/schema.js';

/**
 * Whether an account has the credentials it needs. Missing credentials (an auth file that does
 * not exist, an empty API key) make the account unavailable, not the config invalid, so the
 * default gateway.yaml starts on a fresh machine.
 */
export interface CredentialStatus {
  available: boolean;
  reason?: string;
}

export function accountCredentialStatus(account: AccountConfig): CredentialStatus {
  if (account.kind === 'openai') {
    return account.apiKey.trim() === '' ? { available: false, reason: 'no API key (apiKey is empty)' } : { available: true };
  }
  if (account.tokens !== undefined) {
    return account.tokens.access.trim() === '' ? { available: false, reason: 'tokens.access is empty' } : { available: true };
  }
  const file = expandHome(account.authFile ?? '');
  return existsSync(file) ? { available: true } : { available: false, reason: `auth file ${account.authFile} not found (sign in with the Codex CLI: codex login)` };
}

export function expandHome(path: string): string {
  return path === '~' ? homedir() : path.startsWith('~/') ? join(homedir(), path.slice(2)) : path;
}
