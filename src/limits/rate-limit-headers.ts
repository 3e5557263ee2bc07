import type { BudgetReading } from './policy-engine.js';
import { formatReset } from './reset-format.js';

const TOKEN_DIMENSIONS = new Set(['tokens', 'inputTokens', 'outputTokens']);

/**
 * OpenAI's `x-ratelimit-{limit,remaining,reset}-{requests,tokens}` for the tightest applicable
 * budget of each kind (least remaining; on a tie the one that resets last). A kind no policy
 * limits is left out rather than invented.
 */
export function rateLimitHeaders(readings: readonly BudgetReading[]): Record<string, string> {
  let requests: BudgetReading | null = null;
  let tokens: BudgetReading | null = null;
  for (const r of readings) {
    if (r.dimension === 'requests') requests = tighter(requests, r);
    else if (TOKEN_DIMENSIONS.has(r.dimension)) tokens = tighter(tokens, r);
  }
  // Object literals of one shape each (every limited request builds one): adding the names one
  // by one made a differently shaped object per case and cost most of this function.
  if (requests === null) return tokens === null ? {} : tokenHeaders(tokens);
  if (tokens === null) return requestHeaders(requests);
  return {
    'x-ratelimit-limit-requests': requests.limitText,
    'x-ratelimit-remaining-requests': remainingText(requests),
    'x-ratelimit-reset-requests': formatReset(requests.resetMs),
    'x-ratelimit-limit-tokens': tokens.limitText,
    'x-ratelimit-remaining-tokens': remainingText(tokens),
    'x-ratelimit-reset-tokens': formatReset(tokens.resetMs),
  };
}

function requestHeaders(r: BudgetReading): Record<string, string> {
  return { 'x-ratelimit-limit-requests': r.limitText, 'x-ratelimit-remaining-requests': remainingText(r), 'x-ratelimit-reset-requests': formatReset(r.resetMs) };
}

function tokenHeaders(r: BudgetReading): Record<string, string> {
  return { 'x-ratelimit-limit-tokens': r.limitText, 'x-ratelimit-remaining-tokens': remainingText(r), 'x-ratelimit-reset-tokens': formatReset(r.resetMs) };
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

function remainingText(r: BudgetReading): string {
  return String(remaining(r));
}
