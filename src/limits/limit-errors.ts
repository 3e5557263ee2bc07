import type { KeySpec, ModelSpec } from '../runtime/snapshot.js';
import { GatewayError } from '../shared/errors.js';
import type { Refusal } from './policy-engine.js';
import { describeAmount } from './policy-math.js';
import { rateLimitHeaders } from './rate-limit-headers.js';
import { formatReset, retryAfterSeconds } from './reset-format.js';

/** 429 `rate_limit_exceeded` naming the policy, its window and when to come back. */
export function rateLimitExceeded(refusal: Refusal, now: number): GatewayError {
  const who = `${refusal.subject.kind} '${refusal.subject.id}'`;
  const policy = `policy '${refusal.policy.id}'`;
  const headers = rateLimitHeaders(refusal.readings);
  if (refusal.dimension === 'concurrency' || refusal.resetMs === null) {
    headers['Retry-After'] = '1';
    return new GatewayError(
      429,
      'rate_limit_error',
      'rate_limit_exceeded',
      `Too many concurrent requests for ${who}: ${policy} allows ${refusal.limit} in flight at once. Retry when one of them finishes.`,
      { headers },
    );
  }
  const per = refusal.policy.config[refusal.dimension]?.per ?? '?';
  const wait = formatReset(refusal.resetMs);
  const at = new Date(now + refusal.resetMs).toISOString();
  headers['Retry-After'] = String(retryAfterSeconds(refusal.resetMs));
  const usedUp = refusal.dimension === 'requests' ? '' : ` (${describeAmount(refusal.dimension, refusal.used)} used)`;
  return new GatewayError(
    429,
    'rate_limit_error',
    'rate_limit_exceeded',
    `Rate limit reached for ${who}: ${policy} allows ${describeAmount(refusal.dimension, refusal.limit)} per ${per}${usedUp}. ` +
      `Try again in ${wait} (the window resets at ${at}).`,
    { headers },
  );
}

/** 403 `model_not_allowed`: the key's `models` list does not include the model. */
export function modelNotAllowed(key: KeySpec, model: ModelSpec): GatewayError {
  const allowed = key.models === null ? [] : [...key.models].sort();
  return new GatewayError(
    403,
    'permission_error',
    'model_not_allowed',
    `The API key '${key.id}' is not allowed to use the model '${model.id}'. Allowed: ${allowed.join(', ') || 'none'}.`,
    { param: 'model' },
  );
}
