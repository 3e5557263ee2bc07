import type { PoolExhaustion } from '../routing/route-plan.js';
import { GatewayError } from '../shared/errors.js';

/**
 * The answer when no account can serve: 429 `usage_limit_reached` (with Retry-After) when every
 * account is resting from rate limits, so clients back off and retry; otherwise 503 `no_accounts`
 * naming each account and why, so an operator can see what is wrong from the client's error.
 */
export function poolExhaustedError(model: string, exhaustion: PoolExhaustion, now = Date.now()): GatewayError {
  const retryAfter = exhaustion.retryAfterMs === null ? null : String(Math.max(1, Math.ceil(exhaustion.retryAfterMs / 1000)));
  const headers: Record<string, string> = retryAfter === null ? {} : { 'Retry-After': retryAfter };
  const via = exhaustion.models.length > 1 ? ` (or its fallbacks ${exhaustion.models.slice(1).join(', ')})` : '';
  if (exhaustion.allRateLimited) {
    // resets_at / resets_in_seconds as the Codex backend words it: the Codex CLI shows when to come back.
    const details = exhaustion.retryAfterMs === null ? {} : { resets_at: Math.ceil((now + exhaustion.retryAfterMs) / 1000), resets_in_seconds: Number(retryAfter) };
    return new GatewayError(429, 'rate_limit_error', 'usage_limit_reached', `Every account serving '${model}'${via} is rate-limited; retry in ${retryAfter ?? 'a few'} seconds.`, { headers, details });
  }
  if (exhaustion.accounts.length === 0) {
    return new GatewayError(503, 'service_unavailable', 'no_accounts', `No enabled account is configured to serve '${model}'${via}.`);
  }
  const reasons = exhaustion.accounts.map((a) => `${a.accountId}: ${a.reason}`).join('; ');
  return new GatewayError(503, 'service_unavailable', 'no_accounts', `No account can serve '${model}'${via} right now. ${reasons}`, { headers });
}

/** The last attempt failed without an upstream answer (connection error, timeout). */
export function upstreamUnreachable(kind: 'timeout' | 'network', accountId: string, message: string): GatewayError {
  return kind === 'timeout'
    ? new GatewayError(504, 'upstream_error', 'upstream_timeout', `The upstream of account '${accountId}' did not answer in time (${message}).`)
    : new GatewayError(502, 'upstream_error', 'upstream_error', `The upstream of account '${accountId}' could not be reached (${message}).`);
}

/** The last account tried cannot serve until an operator acts (e.g. it needs a new sign-in). */
export function accountUnusable(model: string, accountId: string, message: string): GatewayError {
  return new GatewayError(503, 'service_unavailable', 'no_accounts', `No account can serve '${model}' right now. ${accountId}: ${message}`);
}
