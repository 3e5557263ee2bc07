import type { Response } from 'express';
import type { RateLimits } from '../limits/rate-limits.js';
import type { RequestLimits } from '../limits/request-limits.js';
import type { ModelSpec } from '../runtime/snapshot.js';
import { contextOf } from './request-context.js';

/**
 * Admits an authenticated request for its resolved model: 403 `model_not_allowed` or 429
 * `rate_limit_exceeded` (thrown, rendered by the error middleware with their headers), else sets
 * the `x-ratelimit-*` headers and puts the request's hold on the limits in its context.
 *
 * The usage tracker finishes the hold with the request's record (charging the actual usage) on
 * the response's `close`, however the request ends — completion, error or client disconnect.
 * Only a `close` that came while the store answered is too early for that: `finished` says so,
 * and the hold is let go here. `finish` runs once.
 */
export async function admitRequest(limits: RateLimits, res: Response, model: ModelSpec, finished: () => boolean): Promise<RequestLimits> {
  const ctx = contextOf(res);
  const handle = await limits.admit(ctx.snapshot, ctx.key, model);
  ctx.limits = handle;
  if (finished()) handle.finish(null);
  if (!res.headersSent) for (const [name, value] of Object.entries(handle.headers)) res.setHeader(name, value);
  return handle;
}
