import { isObject, numberField, objectField, stringField } from './json-guards.js';

/**
 * The OAuth refresh call (`grant_type=refresh_token`) against `tokenUrl`, with the Codex CLI's
 * public client id, as the CLI itself does. Outcomes are data: a permanent failure (the refresh
 * token is dead: `invalid_grant`, expired, reused, revoked) needs a human to sign in again; a
 * transient one (network, 5xx) may be retried later. Reasons never quote a token.
 */
export const CODEX_CLIENT_ID = 'app_EMoamEEZ73f0CkXaXp7hrann';

export interface RefreshedTokens {
  accessToken: string;
  /** Null when the server kept the old refresh token (no rotation). */
  refreshToken: string | null;
  idToken: string | null;
  /** `expires_in` as epoch ms, when the server said. */
  expiresAt: number | null;
}

export type RefreshOutcome = { ok: true; tokens: RefreshedTokens } | { ok: false; permanent: boolean; reason: string };

/** Error codes that mean the refresh token can never work again. */
const PERMANENT_CODES = new Set([
  'invalid_grant',
  'refresh_token_expired',
  'refresh_token_reused',
  'refresh_token_invalidated',
  'refresh_token_revoked',
  'token_revoked',
  'invalid_refresh_token',
]);

export type FetchFn = typeof fetch;

export class OAuthRefreshClient {
  constructor(
    private readonly fetchImpl: FetchFn = fetch,
    private readonly timeoutMs = 30_000,
  ) {}

  async refresh(tokenUrl: string, refreshToken: string, now: number): Promise<RefreshOutcome> {
    let response: Response;
    try {
      response = await this.fetchImpl(tokenUrl, {
        method: 'POST',
        headers: { 'content-type': 'application/json', accept: 'application/json' },
        body: JSON.stringify({ client_id: CODEX_CLIENT_ID, grant_type: 'refresh_token', refresh_token: refreshToken, scope: 'openid profile email' }),
        signal: AbortSignal.timeout(this.timeoutMs),
      });
    } catch (error) {
      return { ok: false, permanent: false, reason: `token endpoint unreachable (${error instanceof Error ? error.name : 'error'})` };
    }
    const text = await response.text().catch(() => '');
    let json: unknown = null;
    try {
      json = JSON.parse(text);
    } catch {
      // Not JSON: judged by status alone below.
    }
    if (response.ok) {
      const access = isObject(json) ? stringField(json, 'access_token') : undefined;
      if (access === undefined || access === '' || !isObject(json)) return { ok: false, permanent: false, reason: 'token endpoint answered without an access_token' };
      const expiresIn = numberField(json, 'expires_in');
      return {
        ok: true,
        tokens: {
          accessToken: access,
          refreshToken: stringField(json, 'refresh_token') || null,
          idToken: stringField(json, 'id_token') || null,
          expiresAt: expiresIn === undefined ? null : now + expiresIn * 1000,
        },
      };
    }
    const { code, description } = errorOf(json);
    const permanent = (code !== null && PERMANENT_CODES.has(code)) || response.status === 401;
    const detail = [code, description].filter((part) => part !== null && part !== '').join(': ');
    return { ok: false, permanent, reason: `token endpoint answered ${response.status}${detail ? ` (${scrubTokens(detail)})` : ''}` };
  }
}

/** OAuth errors are `{error, error_description}`; OpenAI's are `{error: {code, message}}`. */
function errorOf(json: unknown): { code: string | null; description: string | null } {
  if (!isObject(json)) return { code: null, description: null };
  const nested = objectField(json, 'error');
  if (nested !== undefined) return { code: stringField(nested, 'code') ?? stringField(nested, 'type') ?? null, description: stringField(nested, 'message') ?? null };
  return { code: stringField(json, 'error') ?? null, description: stringField(json, 'error_description') ?? null };
}

/** Drops anything token-shaped (long base64/JWT runs) from a server-provided message. */
export function scrubTokens(text: string): string {
  return text.replace(/[A-Za-z0-9_\-.]{32,}/g, '[redacted]').slice(0, 300);
}
