/**
 * When an upstream says to come back, from its response headers: `retry-after-ms`,
 * `Retry-After` (seconds or an HTTP date) and OpenAI's `x-ratelimit-reset-requests|tokens`
 * (Go-style durations such as `1m30s`, `250ms`, `6m0s`, or plain seconds).
 */
export type HeaderBag = Readonly<Record<string, string | string[] | undefined>>;

export function headerValue(headers: HeaderBag, name: string): string | undefined {
  const value = headers[name];
  return Array.isArray(value) ? value[0] : value;
}

const GO_DURATION_RE = /^(?:(\d+(?:\.\d+)?)h)?(?:(\d+(?:\.\d+)?)m(?!s))?(?:(\d+(?:\.\d+)?)s)?(?:(\d+(?:\.\d+)?)ms)?$/;

/** Milliseconds for `1m30s`, `250ms`, `2.5s`, `1h2m3s`, or a bare number of seconds; null if unreadable. */
export function parseResetDuration(text: string): number | null {
  const trimmed = text.trim();
  if (trimmed === '') return null;
  if (/^\d+(\.\d+)?$/.test(trimmed)) return Math.round(Number(trimmed) * 1000);
  const match = GO_DURATION_RE.exec(trimmed);
  if (match === null) return null;
  const [, h, m, s, ms] = match;
  if (h === undefined && m === undefined && s === undefined && ms === undefined) return null;
  const total = Number(h ?? 0) * 3_600_000 + Number(m ?? 0) * 60_000 + Number(s ?? 0) * 1000 + Number(ms ?? 0);
  return Number.isFinite(total) ? Math.round(total) : null;
}

/** `Retry-After` as ms: delta-seconds or an HTTP date relative to `now`; null if absent or unreadable. */
export function parseRetryAfter(text: string, now: number): number | null {
  const trimmed = text.trim();
  if (/^\d+(\.\d+)?$/.test(trimmed)) return Math.round(Number(trimmed) * 1000);
  const at = Date.parse(trimmed);
  return Number.isNaN(at) ? null : Math.max(0, at - now);
}

/**
 * The upstream's best hint of when the account can serve again, in ms, or null for none.
 * Explicit retry headers win; otherwise the reset of whichever OpenAI budget is exhausted
 * (remaining 0), else the later of the two resets.
 */
export function retryHintMs(headers: HeaderBag, now: number): number | null {
  const retryMs = headerValue(headers, 'retry-after-ms');
  if (retryMs !== undefined && /^\d+(\.\d+)?$/.test(retryMs.trim())) return Math.round(Number(retryMs));
  const retryAfter = headerValue(headers, 'retry-after');
  if (retryAfter !== undefined) {
    const ms = parseRetryAfter(retryAfter, now);
    if (ms !== null) return ms;
  }
  const resets: number[] = [];
  const exhausted: number[] = [];
  for (const budget of ['requests', 'tokens'] as const) {
    const reset = headerValue(headers, `x-ratelimit-reset-${budget}`);
    const ms = reset === undefined ? null : parseResetDuration(reset);
    if (ms === null) continue;
    resets.push(ms);
    if (headerValue(headers, `x-ratelimit-remaining-${budget}`)?.trim() === '0') exhausted.push(ms);
  }
  const relevant = exhausted.length > 0 ? exhausted : resets;
  return relevant.length > 0 ? Math.max(...relevant) : null;
}
