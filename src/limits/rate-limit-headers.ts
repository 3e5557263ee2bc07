import type { BudgetReading } from './policy-engine.js';
import { formatReset } from './reset-format.js';

const TOKEN_DIMENSIONS = new Set(['tokens', 'inputTokens', 'outputTokens']);

/**
 * OpenAI's `x-ratelimit-{limit,remaining,reset}-{requests,tokens}` for the tightest applicable
 * budget of each kind (least remaining; on a tie the one that resets last). A kind no policy
 * limits is left out rather than invented.
 */
export function rateLimitHeaders(readings: readonly BudgetReading[]): Record<string, string> {
  const headers: Record<string, string> = {};
  let requests: BudgetReading | null = null;
  let tokens: BudgetReading | null = null;
  for (const r of readings) {
    if (r.dimension === 'requests') requests = tighter(requests, r);
    else if (TOKEN_DIMENSIONS.has(r.dimension)) tokens = tighter(tokens, r);
  }
  if (requests !== null) put(headers, 'requests', requests);
  if (tokens !== null) put(headers, 'tokens', tokens);
  return headers;
}

function tighter(best: BudgetReading | null, r: BudgetReading): BudgetReading {
  if (best === null) return r;
  const left = remaining(r);
  const bestLeft = remaining(best);
  return left < bestLeft || (left === bestLeft && r.resetMs > best.resetMs) ? r : best;
}

function remaining(r: BudgetReading): number {
  return Math.max(0, Math.floor(r.limit - r.used));
}

const NAMES = {
  requests: { limit: 'x-ratelimit-limit-requests', remaining: 'x-ratelimit-remaining-requests', reset: 'x-ratelimit-reset-requests' },
  tokens: { limit: 'x-ratelimit-limit-tokens', remaining: 'x-ratelimit-remaining-tokens', reset: 'x-ratelimit-reset-tokens' },
} as const;

function put(headers: Record<string, string>, kind: 'requests' | 'tokens', r: BudgetReading): void {
  const names = NAMES[kind];
  headers[names.limit] = String(r.limit);
  headers[names.remaining] = String(remaining(r));
  headers[names.reset] = formatReset(r.resetMs);
}
