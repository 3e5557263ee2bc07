import { isObject, numberField, objectField, stringField, type JsonObject } from './json-guards.js';

/**
 * JWT payload decoding for OpenAI's OAuth tokens. No signature check: the tokens come from our own
 * config or the token endpoint, and we only read what they say about themselves (expiry, account,
 * plan) to schedule refreshes and route; the upstream verifies them on every call.
 */
export const OPENAI_AUTH_CLAIM = 'https://api.openai.com/auth';

export function decodeJwtPayload(token: string): JsonObject | null {
  const parts = token.split('.');
  if (parts.length !== 3 || parts[1] === '') return null;
  try {
    const json: unknown = JSON.parse(Buffer.from(parts[1], 'base64url').toString('utf8'));
    return isObject(json) ? json : null;
  } catch {
    return null;
  }
}

/** Epoch ms at which the token expires, or null when it is not a JWT or carries no `exp`. */
export function jwtExpiresAt(token: string): number | null {
  const payload = decodeJwtPayload(token);
  const exp = payload === null ? undefined : numberField(payload, 'exp');
  return exp === undefined ? null : exp * 1000;
}

export interface ChatgptClaims {
  accountId: string | null;
  planType: string | null;
}

/** The ChatGPT account id and plan from the `https://api.openai.com/auth` claim of an id or access token. */
export function chatgptClaims(token: string | undefined): ChatgptClaims {
  const payload = token === undefined ? null : decodeJwtPayload(token);
  const auth = payload === null ? undefined : objectField(payload, OPENAI_AUTH_CLAIM);
  if (auth === undefined) return { accountId: null, planType: null };
  return {
    accountId: stringField(auth, 'chatgpt_account_id') ?? null,
    planType: stringField(auth, 'chatgpt_plan_type') ?? null,
  };
}
