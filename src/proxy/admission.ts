import type { Response } from 'express';
import type { RateLimits } from '../limits/rate-limits.js';
import type { RequestLimits } from '../limits/request-limits.js';
import type { ModelSpec } from '../runtime/snapshot.js';
import { isPromise, type MaybePromise } from '../shared/maybe-promise.js';
import { contextOf } from './request-context.js';

/**
 * Admits an authenticated request for its resolved model: 403 `model_not_allowed` or 429
 * `rate_limit_exceeded` (thrown at once or rejected; the error middleware renders them with their
 * headers), else puts the request's hold on the limits in its context, whose `x-ratelimit-*`
 * headers then go out with the answer (`withGatewayHeaders`, `setGatewayHeaders`). Synchronous
 * when the counters are in memory.
 *
 * The usage tracker finishes the hold with the request's record (charging the actual usage) on
 * the response's `close`, however the request ends — completion, error or client disconnect.
 * Only a `close` that came while a shared store answered is too early for that: `finished` says
 * so, and the hold is let go here. `finish` runs once.
 */
export function admitRequest(limits: RateLimits, res: Response, model: ModelSpec, finished: () => boolean): MaybePromise<RequestLimits> {
  const ctx = contextOf(res);
  const handle = limits.admit(ctx.snapshot, ctx.key, model);
  return isPromise(handle) ? handle.then((h) => admitted(res, h, finished)) : admitted(res, handle, finished);
}

function admitted(res: Response, handle: RequestLimits, finished: () => boolean): RequestLimits {
  contextOf(res).limits = handle;
  if (finished()) handle.finish(null);
  return handle;
}
