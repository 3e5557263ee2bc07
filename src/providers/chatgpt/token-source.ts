import { readFile } from 'node:fs/promises';
import type { ChatgptAccountConfig } from '../../config/schema.js';
import { sha256Hex } from '../../shared/hashing.js';
import { expandHome } from '../credential-status.js';
import { parseAuthFile, type OAuthTokens } from './auth-file.js';

/**
 * The tokens an account is configured with: its `authFile` (read fresh, so a new `codex login`
 * is picked up) or its inline `tokens:`. The fingerprint identifies these configured tokens
 * without holding them: refreshed tokens in the store descend from one fingerprint, and a
 * different one means the user signed in again and the configured tokens win.
 */
export interface SourceTokens {
  tokens: OAuthTokens;
  fingerprint: string;
}

export type SourceResult = { ok: true; source: SourceTokens } | { ok: false; reason: string };

export async function readTokenSource(config: ChatgptAccountConfig): Promise<SourceResult> {
  if (config.tokens !== undefined) {
    const t = config.tokens;
    if (t.access.trim() === '') return { ok: false, reason: 'tokens.access is empty' };
    const tokens: OAuthTokens = {
      accessToken: t.access,
      refreshToken: t.refresh === undefined || t.refresh === '' ? null : t.refresh,
      idToken: t.idToken === undefined || t.idToken === '' ? null : t.idToken,
      accountId: t.accountId === undefined || t.accountId === '' ? null : t.accountId,
      lastRefresh: null,
    };
    return { ok: true, source: { tokens, fingerprint: fingerprintOf(tokens) } };
  }
  const path = expandHome(config.authFile ?? '');
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    return { ok: false, reason: code === 'ENOENT' ? `auth file ${config.authFile} not found (sign in with the Codex CLI: codex login)` : `auth file ${config.authFile} cannot be read (${code ?? 'error'})` };
  }
  const parsed = parseAuthFile(text);
  if (!parsed.ok) return { ok: false, reason: `auth file ${config.authFile} ${parsed.reason}` };
  return { ok: true, source: { tokens: parsed.tokens, fingerprint: fingerprintOf(parsed.tokens) } };
}

function fingerprintOf(tokens: OAuthTokens): string {
  return sha256Hex(`codex-lb-source:${tokens.refreshToken ?? tokens.accessToken}`).slice(0, 32);
}
