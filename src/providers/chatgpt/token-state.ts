import type { SecretBox } from '../../shared/secret-box.js';
import { isObject, numberField, stringField } from './json-guards.js';
import { chatgptClaims, jwtExpiresAt } from './jwt.js';
import type { OAuthTokens } from './auth-file.js';

/** The live OAuth state of one ChatGPT account (in memory; sealed copies go to the vault). */
export interface TokenState {
  /** Fingerprint of the configured tokens this state descends from. */
  source: string;
  accessToken: string;
  refreshToken: string | null;
  idToken: string | null;
  /** The `chatgpt-account-id` to send, when known. */
  accountId: string | null;
  /** Epoch ms, from the access token's `exp` (or `expires_in`); null = unknown. */
  expiresAt: number | null;
  /** Epoch ms of the last refresh by this gateway (or the file's last_refresh). */
  refreshedAt: number | null;
  reauthReason: string | null;
  /** The refresh in flight: every caller awaits this one (single-flight). */
  inflight: Promise<void> | null;
  /** Epoch ms of the last look at the configured source. */
  checkedAt: number;
}

export function stateFromTokens(source: string, tokens: OAuthTokens, now: number): TokenState {
  return {
    source,
    accessToken: tokens.accessToken,
    refreshToken: tokens.refreshToken,
    idToken: tokens.idToken,
    accountId: tokens.accountId,
    expiresAt: jwtExpiresAt(tokens.accessToken),
    refreshedAt: tokens.lastRefresh,
    reauthReason: null,
    inflight: null,
    checkedAt: now,
  };
}

/**
 * Takes `stored`'s tokens into `state` when they differ and are not older (another instance
 * refreshed them); keeps the state's own bookkeeping (source, verdict, in-flight refresh).
 */
export function adoptNewer(state: TokenState, stored: TokenState): boolean {
  if (stored.accessToken === state.accessToken || (stored.refreshedAt ?? 0) < (state.refreshedAt ?? 0)) return false;
  state.accessToken = stored.accessToken;
  state.refreshToken = stored.refreshToken;
  state.idToken = stored.idToken;
  state.accountId = stored.accountId;
  state.expiresAt = stored.expiresAt;
  state.refreshedAt = stored.refreshedAt;
  return true;
}

/** The account id and plan: configured/file values first, then the id token's, then the access token's claims. */
export function identityOf(state: TokenState): { accountId: string | null; planType: string | null } {
  const fromId = chatgptClaims(state.idToken ?? undefined);
  const fromAccess = chatgptClaims(state.accessToken);
  return {
    accountId: state.accountId ?? fromId.accountId ?? fromAccess.accountId,
    planType: fromId.planType ?? fromAccess.planType,
  };
}

/** AAD of a sealed record: binds it to its account row. */
function context(accountId: string): string {
  return `codex-lb/chatgpt-tokens/${accountId}`;
}

export function sealState(box: SecretBox, accountId: string, state: TokenState): string {
  const plain = {
    v: 1,
    source: state.source,
    accessToken: state.accessToken,
    refreshToken: state.refreshToken,
    idToken: state.idToken,
    accountId: state.accountId,
    expiresAt: state.expiresAt,
    refreshedAt: state.refreshedAt,
  };
  return box.seal(JSON.stringify(plain), context(accountId));
}

/** The stored state, or null when it cannot be opened (other key, damaged) or is malformed. */
export function openState(box: SecretBox, accountId: string, sealed: string, now: number): TokenState | null {
  const text = box.open(sealed, context(accountId));
  if (text === null) return null;
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    return null;
  }
  if (!isObject(json)) return null;
  const source = stringField(json, 'source');
  const accessToken = stringField(json, 'accessToken');
  if (source === undefined || accessToken === undefined) return null;
  return {
    source,
    accessToken,
    refreshToken: stringField(json, 'refreshToken') ?? null,
    idToken: stringField(json, 'idToken') ?? null,
    accountId: stringField(json, 'accountId') ?? null,
    expiresAt: numberField(json, 'expiresAt') ?? jwtExpiresAt(accessToken),
    refreshedAt: numberField(json, 'refreshedAt') ?? null,
    reauthReason: null,
    inflight: null,
    checkedAt: now,
  };
}
