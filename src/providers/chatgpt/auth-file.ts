import { isObject, objectField, stringField, type JsonObject } from './json-guards.js';

/**
 * The OAuth tokens of one ChatGPT seat, whatever wrote them: the Codex CLI's `auth.json`
 * (`{"tokens": {"id_token", "access_token", "refresh_token", "account_id"}, "last_refresh"}`),
 * the camelCase spelling other tools use, or the inline `tokens:` of gateway.yaml.
 */
export interface OAuthTokens {
  accessToken: string;
  refreshToken: string | null;
  idToken: string | null;
  accountId: string | null;
  /** Epoch ms of the last refresh, when known: orders two sets of tokens by age. */
  lastRefresh: number | null;
}

export type AuthFileResult = { ok: true; tokens: OAuthTokens } | { ok: false; reason: string };

/** Parses the text of an auth file. The reason never quotes the file (it holds secrets). */
export function parseAuthFile(text: string): AuthFileResult {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    return { ok: false, reason: 'is not valid JSON' };
  }
  if (!isObject(json)) return { ok: false, reason: 'is not a JSON object' };
  // The tokens live under `tokens` in the Codex CLI's file; some tools write them at the top level.
  const holder = objectField(json, 'tokens') ?? json;
  const accessToken = pick(holder, 'access_token', 'accessToken');
  if (accessToken === undefined || accessToken === '') {
    return { ok: false, reason: 'has no tokens.access_token (sign in again with `codex login`)' };
  }
  const lastRefreshText = pick(json, 'last_refresh', 'lastRefresh') ?? pick(holder, 'last_refresh', 'lastRefresh');
  const lastRefresh = lastRefreshText === undefined ? NaN : Date.parse(lastRefreshText);
  return {
    ok: true,
    tokens: {
      accessToken,
      refreshToken: nonEmpty(pick(holder, 'refresh_token', 'refreshToken')),
      idToken: nonEmpty(pick(holder, 'id_token', 'idToken')),
      accountId: nonEmpty(pick(holder, 'account_id', 'accountId') ?? pick(json, 'account_id', 'accountId')),
      lastRefresh: Number.isNaN(lastRefresh) ? null : lastRefresh,
    },
  };
}

function pick(object: JsonObject, snake: string, camel: string): string | undefined {
  return stringField(object, snake) ?? stringField(object, camel);
}

function nonEmpty(value: string | undefined): string | null {
  return value === undefined || value === '' ? null : value;
}
