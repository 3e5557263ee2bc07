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
  const requests = tightest(readings.filter((r) => r.dimension === 'requests'));
  if (requests !== null) put(headers, 'requests', requests);
  const tokens = tightest(readings.filter((r) => TOKEN_DIMENSIONS.has(r.dimension)));
  if (tokens !== null) put(headers, 'tokens', tokens);
  return headers;
}

function tightest(readings: readonly BudgetReading[]): BudgetReading | null {
  let best: BudgetReading | null = null;
  for (const r of readings) {
    if (best === null) {
      best = r;
      continue;
    }
    const left = remaining(r);
    const bestLeft = remaining(best);
    if (left < bestLeft || (left === bestLeft && r.resetMs > best.resetMs)) best = r;
  }
  return best;
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
