/**
 * Reset times as OpenAI writes them in `x-ratelimit-reset-*` (Go duration style: `20ms`, `1s`,
 * `6m0s`, `1h0m0s`), and `Retry-After` in whole seconds. Both round UP: a client that waits
 * exactly what it was told must find the window reset, never a few milliseconds early.
 */
export function formatReset(ms: number): string {
  if (!(ms > 0)) return '0s';
  if (ms < 1000) return `${Math.ceil(ms)}ms`;
  const total = Math.ceil(ms / 1000);
  const h = Math.floor(total / 3600);
  const m = Math.floor((total % 3600) / 60);
  const s = total % 60;
  if (h > 0) return `${h}h${m}m${s}s`;
  if (m > 0) return `${m}m${s}s`;
  return `${s}s`;
}

/** `Retry-After` seconds: at least 1, so a client never retries in a tight loop. */
export function retryAfterSeconds(ms: number): number {
  return Math.max(1, Math.ceil(ms / 1000));
}
