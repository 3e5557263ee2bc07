import type { Request, RequestHandler, Response } from 'express';
import { clientResponseHeaders } from '../providers/forwarded-headers.js';
import { errorCodeOf } from '../providers/token-usage.js';
import { affinityKey } from '../routing/affinity-key.js';
import type { PoolExhaustion } from '../routing/route-plan.js';
import { GatewayError, invalidRequest, modelNotFound } from '../shared/errors.js';
import { isPromise } from '../shared/maybe-promise.js';
import type { Endpoint } from '../usage/usage-record.js';
import { admitRequest } from './admission.js';
import { checkBodyShape } from './body-shape.js';
import { ClientLink } from './client-link.js';
import { parseByteSize, readJsonBody } from './json-body.js';
import { pinnedAccountUnavailable } from './pinned-account-error.js';
import { accountUnusable, poolExhaustedError, upstreamUnreachable } from './pool-errors.js';
import type { ProxyServices } from './proxy-services.js';
import { contextOf, withGatewayHeaders, type RequestContext } from './request-context.js';
import { relaySse } from './sse-relay.js';
import { ClientGone, runAttempts, type Served, type Unserved } from './upstream-attempts.js';
import { UsageTracker } from './usage-tracker.js';

/** Endpoints whose API has a streaming mode (`stream: true`). */
const STREAMABLE: ReadonlySet<Endpoint> = new Set(['chat.completions', 'responses', 'codex.responses']);

/**
 * The handler of one proxied endpoint (`POST /v1/chat/completions`, `/v1/responses`,
 * `/v1/embeddings`): read and check the body, resolve the model, route with failover, relay
 * the answer, and leave exactly one usage record behind.
 */
export function proxyEndpoint(services: ProxyServices, endpoint: Endpoint): RequestHandler {
  const byteLimits = new Map<string, number>();
  const limitOf = (text: string): number => {
    let bytes = byteLimits.get(text);
    if (bytes === undefined) byteLimits.set(text, (bytes = parseByteSize(text)));
    return bytes;
  };

  return async function proxyRequest(req: Request, res: Response) {
    const ctx = contextOf(res);
    const tracker = new UsageTracker(ctx, endpoint, services.usage, services.costOf, services.logger);
    const link = new ClientLink();
    res.once('close', () => {
      link.closed(res);
      tracker.finish(res);
    });
    try {
      const limitText = ctx.snapshot.config.server.bodyLimit;
      const { raw, json } = await readJsonBody(req, limitOf(limitText), limitText);
      await serve({ req, res, ctx, tracker, link, endpoint, raw, json }, services);
    } catch (error) {
      if (error instanceof ClientGone) return;
      tracker.errorCode ??= error instanceof GatewayError ? error.code : 'internal_error';
      throw error;
    }
  };
}

interface Exchange {
  readonly req: Request;
  readonly res: Response;
  readonly ctx: RequestContext;
  readonly tracker: UsageTracker;
  readonly link: ClientLink;
  readonly endpoint: Endpoint;
  readonly raw: Buffer;
  readonly json: Record<string, unknown>;
}

async function serve(x: Exchange, services: ProxyServices): Promise<void> {
  const { ctx, tracker, json } = x;
  const name = json.model;
  if (name === undefined || name === null || name === '') throw invalidRequest('You must provide a model parameter.', 'model', 'missing_required_parameter');
  if (typeof name !== 'string') throw invalidRequest(`Invalid type for 'model': expected a string, but got ${Array.isArray(name) ? 'an array' : typeof name}.`, 'model', 'invalid_type');
  tracker.requestedModel = name;
  checkBodyShape(x.endpoint, json);
  const model = ctx.snapshot.modelByName.get(name);
  if (model === undefined || !model.enabled) throw modelNotFound(name);
  tracker.model = model;
  // The key's model list (403) and policies (429); sets the x-ratelimit-* headers.
  const admitted = admitRequest(services.limits, x.res, model, () => tracker.finished);
  if (isPromise(admitted)) await admitted;
  const stream = STREAMABLE.has(x.endpoint) && json.stream === true;
  tracker.stream = stream;

  const sessionKey = affinityKey(json, x.req.headers);
  // A request continuing another account's conversation state may only go there.
  const pin = services.pins?.(json) ?? null;
  const plan = services.router.plan(ctx.snapshot, model, sessionKey, pin?.accountId ?? null);
  const outcome = await runAttempts(
    { ctx, plan, endpoint: x.endpoint, body: json, rawBody: x.raw, clientHeaders: x.req.headers, stream, link: x.link, tracker },
    services,
  );
  if (outcome.kind === 'unserved') {
    if (pin !== null) throw pinnedAccountUnavailable(pin, model.id, plan.exhaustion(), services.clock.now());
    return answerUnserved(x, outcome, plan.exhaustion(), model.id);
  }

  const accountId = outcome.candidate.account.id;
  services.router.bindSession(ctx.snapshot, sessionKey, accountId);
  if (outcome.sse === null) {
    services.accounts.recordSuccess(accountId);
    sendBuffered(x, outcome);
    return;
  }
  try {
    const end = await relaySse({
      res: x.res,
      served: outcome,
      sse: outcome.sse,
      tap: outcome.adapter.createStreamTap(x.endpoint, outcome.request),
      tracker,
      idleTimeoutMs: ctx.snapshot.routing.idleTimeoutMs,
      keepAliveMs: ctx.snapshot.routing.keepAliveMs,
      isClientGone: () => x.link.gone,
    });
    if (end === 'completed') services.accounts.recordSuccess(accountId);
    else if (end === 'idle_timeout') services.accounts.recordFailure(accountId, { kind: 'timeout', status: null, retryAfterMs: null, message: 'stream went silent' });
    else if (end === 'upstream_error') services.accounts.recordFailure(accountId, { kind: 'network', status: null, retryAfterMs: null, message: 'stream broke mid-way' });
    else if (end === 'truncated') services.accounts.recordFailure(accountId, { kind: 'network', status: null, retryAfterMs: null, message: 'stream ended before its final event' });
  } finally {
    services.accounts.release(accountId);
  }
}

/** A non-SSE answer, read whole upstream: one write with its length; usage read from it. */
function sendBuffered(x: Exchange, served: Served): void {
  const body = served.body ?? Buffer.alloc(0);
  const headers = withGatewayHeaders(x.res, clientResponseHeaders(served.headers));
  headers['content-length'] = String(body.length);
  if (served.json !== undefined) {
    if (served.status < 300) x.tracker.usage = served.adapter.usageFromBody(x.endpoint, served.json);
    else x.tracker.errorCode = errorCodeOf(served.json) ?? `upstream_${served.status}`;
  } else if (served.status >= 400) {
    x.tracker.errorCode = `upstream_${served.status}`;
  }
  x.res.writeHead(served.status, headers);
  x.tracker.markFirstByte();
  x.res.end(body);
}

/**
 * Nothing served. Every account resting from rate limits (or none available at all) gets the
 * gateway's own 429/503; otherwise the last upstream failure is the most useful answer, and is
 * relayed as it came (status, Retry-After, body), or as 502/504 when there was no answer.
 */
function answerUnserved(x: Exchange, outcome: Unserved, exhaustion: PoolExhaustion, model: string): void {
  const last = outcome.last;
  if (last === null || exhaustion.allRateLimited) throw poolExhaustedError(model, exhaustion);
  if (last.response === null && last.failure.kind === 'unusable') throw accountUnusable(model, last.candidate.account.id, last.failure.message);
  if (last.response === null) throw upstreamUnreachable(last.failure.kind === 'timeout' ? 'timeout' : 'network', last.candidate.account.id, last.failure.message);
  const { status, headers, body } = last.response;
  const out = withGatewayHeaders(x.res, clientResponseHeaders(headers));
  out['content-length'] = String(body.length);
  x.tracker.errorCode = errorCodeOf(parseJson(body)) ?? `upstream_${status}`;
  x.res.writeHead(status, out);
  x.res.end(body);
}

function parseJson(body: Buffer): unknown {
  try {
    return JSON.parse(body.toString('utf8')) as unknown;
  } catch {
    return undefined;
  }
}
