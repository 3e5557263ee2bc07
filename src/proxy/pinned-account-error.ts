import type { AccountPin } from '../routing/account-pin.js';
import type { PoolExhaustion } from '../routing/route-plan.js';
import { GatewayError } from '../shared/errors.js';

/**
 * The answer when a pinned request (see routing/account-pin.ts) cannot be served: never another
 * account (it would fail upstream or silently lose the conversation's state), but an error that
 * names the account, why the request belongs to it, and why it cannot serve now.
 */
export function pinnedAccountUnavailable(pin: AccountPin, model: string, exhaustion: PoolExhaustion, now: number): GatewayError {
  const why = `This request can only be served by account '${pin.accountId}' because ${pin.reason} (encrypted reasoning and response ids only work on the account that issued them)`;
  const entry = exhaustion.accounts.find((account) => account.accountId === pin.accountId);
  if (entry === undefined) {
    return new GatewayError(400, 'invalid_request_error', 'conversation_account_mismatch', `${why}, but that account does not serve model '${model}'. Use the model the conversation started with, or start a new conversation.`, { param: 'model' });
  }
  if (entry.rateLimited && entry.retryInMs > 0) {
    const seconds = Math.max(1, Math.ceil(entry.retryInMs / 1000));
    return new GatewayError(429, 'rate_limit_error', 'usage_limit_reached', `${why}, and it is rate-limited for ${seconds}s more (${entry.reason}). Retry then, or start a new conversation.`, {
      headers: { 'Retry-After': String(seconds) },
      details: { resets_at: Math.ceil((now + entry.retryInMs) / 1000), resets_in_seconds: seconds, account: pin.accountId },
    });
  }
  return new GatewayError(503, 'service_unavailable', 'conversation_account_unavailable', `${why}, and it cannot serve right now: ${entry.reason}. Retry later, or start a new conversation.`, {
    details: { account: pin.accountId },
  });
}
