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
 * The usage tracker finishes the hold with the request's record (charging the actual usage);
 * whatever happens, the response's `close` — completion, error or client disconnect — finishes it
 * too, a tick later so the tracker's own `close` listener goes first. `finish` runs once.
 */
export async function admitRequest(limits: RateLimits, res: Response, model: ModelSpec): Promise<RequestLimits> {
  const ctx = contextOf(res);
  let handle: RequestLimits | null = null;
  let closed = false;
  res.once('close', () => {
    closed = true;
    setImmediate(() => handle?.finish(null));
  });
  handle = await limits.admit(ctx.snapshot, ctx.key, model);
  ctx.limits = handle;
  // The client may have left while the store answered: `close` has fired already.
  if (closed) handle.finish(null);
  if (!res.headersSent) for (const [name, value] of Object.entries(handle.headers)) res.setHeader(name, value);
  return handle;
}
