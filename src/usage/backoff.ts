/** Retry delays for the usage store: exponential, capped, with jitter so instances don't retry in lockstep. */
export interface BackoffSettings {
  /** First retry delay (ms). */
  initialMs: number;
  /** Longest delay (ms). */
  maxMs: number;
}

export const DEFAULT_BACKOFF: BackoffSettings = { initialMs: 200, maxMs: 30_000 };

/** Delay before retry number `attempt` (1-based): between half and all of initial × 2^(attempt−1), capped. */
export function backoffDelay(attempt: number, settings: BackoffSettings, random: () => number = Math.random): number {
  const exp = Math.min(settings.maxMs, settings.initialMs * 2 ** Math.max(0, Math.min(30, attempt - 1)));
  return Math.round(exp * (0.5 + random() * 0.5));
}
