import { randomFillSync } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import type { NextFunction, Request, RequestHandler, Response } from 'express';
import { v7 as timeOrderedUuid } from 'uuid';
import type { RequestLimits } from '../limits/request-limits.js';
import type { KeySpec, Snapshot } from '../runtime/snapshot.js';
import type { SnapshotHolder } from '../runtime/snapshot-holder.js';
import type { Clock } from '../shared/clock.js';

/**
 * What one /v1 request carries from its first middleware to its usage record. The snapshot is
 * captured here, once: the request (streams included) uses it to its end, whatever reloads
 * happen meanwhile. The auth layer (issue 4) fills `keyId`; until then every request is
 * `anonymous`.
 */
export interface RequestContext {
  readonly requestId: string;
  /** Epoch ms, for the record. */
  readonly startedAt: number;
  /** Monotonic ms (performance.now), for latency and time to first byte. */
  readonly startedMono: number;
  readonly snapshot: Snapshot;
  keyId: string;
  /** The configured key the request authenticated with; null when anonymous. Set by auth. */
  key: KeySpec | null;
  /** The request's hold on the rate limits once admitted; finished with its usage record. */
  limits: RequestLimits | null;
  readonly userAgent: string | null;
}

declare global {
  // Express types res.locals through this interface; declaration merging keeps it typed.
  // eslint-disable-next-line @typescript-eslint/no-namespace
  namespace Express {
    interface Locals {
      codexLb?: RequestContext;
    }
  }
}

export const ANONYMOUS_KEY = 'anonymous';

/**
 * Random bytes for request ids, drawn 4 KB at a time: uuid's default source asks the system
 * for 16 bytes per id, a native call per request that showed in profiles under load. (With a
 * source of its own, uuid orders ids within one millisecond randomly; across milliseconds they
 * stay in time order, which is what the store's index needs.)
 */
const ID_BYTES = new Uint8Array(4096);
let idBytesAt = ID_BYTES.length;
const UUID_OPTIONS = {
  rng(): Uint8Array {
    if (idBytesAt + 16 > ID_BYTES.length) {
      randomFillSync(ID_BYTES);
      idBytesAt = 0;
    }
    idBytesAt += 16;
    return ID_BYTES.subarray(idBytesAt - 16, idBytesAt);
  },
};

/** Client request ids are echoed only when they look like ids (printable, bounded). */
const REQUEST_ID_RE = /^[\x21-\x7e]{1,200}$/;

export interface RequestContextOptions {
  /**
   * Leave `x-request-id` to the answer: the handlers after this one write it with the head of
   * their answer (`withGatewayHeaders`), or the error middleware sets it. The proxied POSTs of
   * the fast lane do; elsewhere it is set at once, for whatever answers.
   */
  readonly deferHeaders?: boolean;
}

export function requestContext(holder: SnapshotHolder, clock: Clock, options: RequestContextOptions = {}): RequestHandler {
  const deferHeaders = options.deferHeaders === true;
  return function captureRequestContext(req: Request, res: Response, next: NextFunction) {
    const sent = req.headers['x-request-id'];
    // Time-ordered (UUIDv7): the usage store's unique index on request ids then grows at its end
    // instead of taking each insert to a random page, which cut the SQLite pages written per
    // record (random v4 ids: one scattered page per record per batch).
    const requestId = typeof sent === 'string' && REQUEST_ID_RE.test(sent) ? sent : timeOrderedUuid(UUID_OPTIONS);
    if (!deferHeaders) res.setHeader('x-request-id', requestId);
    res.locals.codexLb = {
      requestId,
      startedAt: clock.now(),
      startedMono: performance.now(),
      snapshot: holder.current(),
      keyId: ANONYMOUS_KEY,
      key: null,
      limits: null,
      userAgent: req.headers['user-agent'] ?? null,
    };
    next();
  };
}

/** The request's context; present on every /v1 request (the middleware runs first). */
export function contextOf(res: Response): RequestContext {
  const ctx = res.locals.codexLb;
  if (ctx === undefined) throw new Error('request context missing: mount requestContext() before the /v1 handlers');
  return ctx;
}

/**
 * Adds the gateway's own headers (`x-request-id`, the request's `x-ratelimit-*`) to the head of a
 * proxied answer, so they go out in its one `writeHead` with the upstream's. Node validates and
 * lower-cases every header given to `setHeader`, stores it, and then, once any header was set
 * that way, takes each header of `writeHead` through `setHeader` as well: together several µs
 * per request at proxy rates.
 */
export function withGatewayHeaders<H extends Record<string, string | string[]>>(res: Response, headers: H): H {
  const ctx = res.locals.codexLb;
  if (ctx === undefined) return headers;
  const out: Record<string, string | string[]> = headers;
  out['x-request-id'] = ctx.requestId;
  const limits = ctx.limits?.headers;
  if (limits !== undefined) for (const name in limits) out[name] = limits[name];
  return headers;
}

/** The same headers for an answer Express writes (errors); a header already set stays. */
export function setGatewayHeaders(res: Response): void {
  const ctx = res.locals.codexLb;
  if (ctx === undefined) return;
  if (!res.hasHeader('x-request-id')) res.setHeader('x-request-id', ctx.requestId);
  const limits = ctx.limits?.headers;
  if (limits !== undefined) for (const name in limits) if (!res.hasHeader(name)) res.setHeader(name, limits[name]);
}
