/**
 * How long an account rests after a failure. Pure arithmetic over failure counts and upstream
 * hints, so the rules can be tested without a clock or a network.
 */
/** `unusable`: the account cannot serve until an operator acts (no cooldown: it is unavailable instead). */
export type FailureKind = 'rate_limited' | 'server_error' | 'network' | 'timeout' | 'unusable';

export interface AccountFailure {
  kind: FailureKind;
  /** Upstream HTTP status, when there was a response. */
  status: number | null;
  /** What the upstream said about when to come back (Retry-After, x-ratelimit-reset-*), in ms. */
  retryAfterMs: number | null;
  /** Short human reason, shown in 503 no_accounts messages and the admin API. */
  message: string;
}

export const BACKOFF_BASE_MS = 1_000;
export const BACKOFF_CAP_MS = 5 * 60_000;
/** Upstream hints beyond this are treated as this: a broken header must not bench an account for days. */
export const HINT_CAP_MS = 24 * 3_600_000;

/**
 * A lone 5xx is often a blip, so server errors cool an account only from the second one in a row
 * (the request itself still fails over at once). A 429, a refused connection or a timeout says the
 * account is unusable right now, and a timeout is expensive to hit again, so they cool at once.
 */
const COOL_FROM_FAILURE: Record<FailureKind, number> = { rate_limited: 1, server_error: 2, network: 1, timeout: 1, unusable: Infinity };

/** Exponential backoff: 1s, 2s, 4s … capped at 5 minutes; `step` counts from 1. */
export function backoffMs(step: number): number {
  if (step < 1) return 0;
  return Math.min(BACKOFF_CAP_MS, BACKOFF_BASE_MS * 2 ** Math.min(step - 1, 30));
}

/**
 * Cooldown length after the `consecutive`-th failure in a row (this one included), or 0 for
 * none. An upstream hint wins over the backoff for any kind of failure.
 */
export function cooldownMs(failure: AccountFailure, consecutive: number): number {
  if (failure.retryAfterMs !== null && failure.retryAfterMs > 0) return Math.min(failure.retryAfterMs, HINT_CAP_MS);
  const threshold = COOL_FROM_FAILURE[failure.kind];
  if (consecutive < threshold) return 0;
  return backoffMs(consecutive - threshold + 1);
}
