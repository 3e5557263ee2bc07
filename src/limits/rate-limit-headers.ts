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

function put(headers: Record<string, string>, kind: 'requests' | 'tokens', r: BudgetReading): void {
  headers[`x-ratelimit-limit-${kind}`] = String(r.limit);
  headers[`x-ratelimit-remaining-${kind}`] = String(remaining(r));
  headers[`x-ratelimit-reset-${kind}`] = formatReset(r.resetMs);
}
