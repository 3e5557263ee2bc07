import type { AttemptAbort } from '../providers/attempt-abort.js';
import { AccountUnusableError, type ProviderAdapter, type UpstreamCall, type UpstreamRequest } from '../providers/provider-adapter.js';
import type { HeaderBag } from '../providers/rate-limit-headers.js';
import type { Readable } from 'node:stream';
import { describeNetworkError, discardBody } from '../providers/upstream-client.js';
import type { AccountFailure } from '../routing/cooldown-policy.js';
import type { RouteCandidate, RoutePlan } from '../routing/route-plan.js';
import type { Endpoint } from '../usage/usage-record.js';
import type { ClientLink } from './client-link.js';
import type { ProxyServices } from './proxy-services.js';
import type { RequestContext } from './request-context.js';
import type { UsageTracker } from './usage-tracker.js';
import { GatewayError, invalidRequest } from '../shared/errors.js';
import { isPromise } from '../shared/maybe-promise.js';

/** An attempt that got an answer worth relaying (2xx, or a 4xx that is the client's business). */
export interface Served {
  readonly kind: 'served';
  readonly candidate: RouteCandidate;
  readonly adapter: ProviderAdapter;
  readonly request: UpstreamRequest;
  readonly status: number;
  readonly headers: HeaderBag;
  /** A non-SSE answer, read whole (so a failure while reading it could still fail over). */
  readonly body: Buffer | null;
  /** `body` parsed, when it is JSON (undefined otherwise). */
  readonly json: unknown;
  /** An SSE answer: its first chunk (already read: failover stays possible until then) and the rest. */
  readonly sse: { first: Buffer | null; rest: AsyncIterator<Buffer>; controller: AttemptAbort } | null;
}

export interface FailedAttempt {
  readonly candidate: RouteCandidate;
  readonly failure: AccountFailure;
  /** The upstream's failure answer, when there was one (relayed if it is the last word). */
  readonly response: { status: number; headers: HeaderBag; body: Buffer } | null;
}

export interface Unserved {
  readonly kind: 'unserved';
  readonly last: FailedAttempt | null;
}

export interface AttemptInput {
  readonly ctx: RequestContext;
  readonly plan: RoutePlan;
  readonly endpoint: Endpoint;
  readonly body: Readonly<Record<string, unknown>>;
  readonly rawBody: Buffer;
  readonly clientHeaders: UpstreamCall['clientHeaders'];
  readonly stream: boolean;
  readonly link: ClientLink;
  readonly tracker: UsageTracker;
}

/** Thrown when the client left while attempts were running: nothing more to do or say. */
export class ClientGone extends Error {
  constructor() {
    super('client disconnected');
  }
}

const ERROR_BODY_LIMIT = 64 * 1024;

/**
 * Tries candidates in plan order until one answers, up to `routing.failover.attempts`. Moving on
 * is only possible while nothing has reached the client, and that holds throughout: a non-SSE
 * answer is read whole and an SSE answer's first chunk is read before returning.
 *
 * The attempt deadline runs until the answer starts: for streams `routing.timeouts.connect`
 * (upstreams stream their first event at once), for non-streams the longer of connect and idle
 * (a non-streamed completion's headers only come when the whole answer is ready).
 */
export async function runAttempts(input: AttemptInput, services: ProxyServices): Promise<Served | Unserved> {
  const { ctx, plan, link, tracker } = input;
  const routing = ctx.snapshot.routing;
  const deadlineMs = input.stream ? routing.connectTimeoutMs : Math.max(routing.connectTimeoutMs, routing.idleTimeoutMs);
  let last: FailedAttempt | null = null;
  for (let attempt = 0; attempt < routing.failoverAttempts; attempt++) {
    if (link.gone) throw new ClientGone();
    const candidate = plan.next();
    if (candidate === null) break;
    const adapter = services.adapters.get(candidate.account.kind);
    if (adapter === undefined) continue;
    const accountId = candidate.account.id;
    // Account policies: an account at its limit is skipped, without using up a failover attempt.
    const trial = ctx.limits === null ? null : ctx.limits.tryAccount(candidate.account, candidate.model.id);
    const verdict = trial !== null && isPromise(trial) ? await trial : trial;
    if (verdict !== null && !verdict.ok) {
      attempt -= 1;
      continue;
    }
    tracker.attempts += 1;
    tracker.accountId = accountId;
    tracker.model = candidate.model;
    services.accounts.acquire(accountId);
    const controller = link.attempt();
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      controller.abort();
    }, deadlineMs);
    let keepInflight = false;
    try {
      const prepared = adapter.prepare({
        account: candidate.account,
        model: candidate.model,
        endpoint: input.endpoint,
        body: input.body,
        rawBody: input.rawBody,
        clientHeaders: input.clientHeaders,
        stream: input.stream,
        requestId: ctx.requestId,
      });
      // Only the chatgpt adapter prepares asynchronously (token refresh).
      const request = prepared instanceof Promise ? await prepared : prepared;
      const response = adapter.send !== undefined ? await adapter.send(request, controller) : await services.upstream.send(request, controller);
      const failure = adapter.classifyResponse(response.status, response.headers, services.clock.now());
      if (failure !== null) {
        const body = await readBounded(response.body, ERROR_BODY_LIMIT).catch(() => Buffer.alloc(0));
        last = { candidate, failure: withUpstreamMessage(failure, body), response: { status: response.status, headers: response.headers, body } };
        fail(services, accountId, last.failure);
        ctx.limits?.attemptFailed(accountId);
        continue;
      }
      const contentType = response.headers['content-type'];
      const isSse = typeof contentType === 'string' && contentType.includes('text/event-stream');
      if (isSse) {
        const rest = (response.body as AsyncIterable<Buffer>)[Symbol.asyncIterator]();
        const first = await rest.next();
        keepInflight = true;
        return served(candidate, adapter, request, response, null, { first: first.done === true ? null : first.value, rest, controller }, undefined);
      }
      const body = await readAll(response.body);
      const json = isJsonType(contentType) ? parseJson(body) : NOT_JSON;
      if (json === NOT_JSON && isJsonType(contentType) && response.status < 300) {
        // A cleanly ended but cut-off JSON answer: nothing reached the client yet, so move on.
        const failure: AccountFailure = { kind: 'network', status: response.status, retryAfterMs: null, message: `incomplete JSON answer (${body.length} bytes)` };
        last = { candidate, failure, response: null };
        fail(services, accountId, failure);
        ctx.limits?.attemptFailed(accountId);
        continue;
      }
      return served(candidate, adapter, request, response, body, null, json === NOT_JSON ? undefined : json);
    } catch (error) {
      if (link.gone) throw new ClientGone();
      // The request itself is wrong (an adapter could not translate it): no account is to blame.
      if (error instanceof GatewayError && error.status < 500) throw error;
      if (error instanceof AccountUnusableError) {
        last = { candidate, failure: { kind: 'unusable', status: null, retryAfterMs: null, message: error.message }, response: null };
        services.logger.warn({ account: accountId }, error.message);
        continue;
      }
      // Re-serialising a body nested deeper than the stack allows: blaming the account would
      // let one request cool down every account in turn.
      if (error instanceof RangeError) throw invalidRequest('The request body is nested too deeply to be forwarded.', null, 'invalid_json');
      const failure: AccountFailure = timedOut
        ? { kind: 'timeout', status: null, retryAfterMs: null, message: `no answer within ${deadlineMs}ms` }
        : { kind: 'network', status: null, retryAfterMs: null, message: describeNetworkError(error) };
      last = { candidate, failure, response: null };
      fail(services, accountId, failure);
      ctx.limits?.attemptFailed(accountId);
    } finally {
      clearTimeout(timer);
      if (!keepInflight) services.accounts.release(accountId);
    }
  }
  return { kind: 'unserved', last };
}

function served(
  candidate: RouteCandidate,
  adapter: ProviderAdapter,
  request: UpstreamRequest,
  response: { status: number; headers: HeaderBag },
  body: Buffer | null,
  sse: Served['sse'],
  json: unknown,
): Served {
  return { kind: 'served', candidate, adapter, request, status: response.status, headers: response.headers, body, json, sse };
}

const NOT_JSON: unique symbol = Symbol('not JSON');

function isJsonType(contentType: string | string[] | undefined): boolean {
  return typeof contentType === 'string' && contentType.includes('json');
}

function parseJson(body: Buffer): unknown {
  try {
    return JSON.parse(body.toString('utf8')) as unknown;
  } catch {
    return NOT_JSON;
  }
}

function fail(services: ProxyServices, accountId: string, failure: AccountFailure): void {
  const cooldownMs = services.accounts.recordFailure(accountId, failure);
  if (cooldownMs > 0) services.logger.warn({ account: accountId, kind: failure.kind, status: failure.status, cooldownMs }, `account ${accountId} cooling down: ${failure.message}`);
  else services.logger.debug({ account: accountId, kind: failure.kind, status: failure.status }, `account ${accountId} failed: ${failure.message}`);
}

/** Adds the upstream's own error message (trimmed) to the failure, for the account's state. */
function withUpstreamMessage(failure: AccountFailure, body: Buffer): AccountFailure {
  const match = /"message"\s*:\s*"((?:[^"\\]|\\.){0,200})/.exec(body.toString('utf8', 0, 4096));
  return match === null ? failure : { ...failure, message: `${failure.message}: ${match[1]}` };
}

/**
 * A whole answer body, collected from 'data' events: an async iterator costs a generator, a
 * promise per chunk and its end-of-stream wiring, for bodies that are one chunk as a rule.
 * Fails like iteration would: on the stream's error, or when it closes before its end.
 */
function readAll(body: Readable): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let ended = false;
    body.on('data', (chunk: Buffer) => {
      chunks.push(chunk);
      size += chunk.length;
    });
    body.once('end', () => {
      ended = true;
      resolve(chunks.length === 1 ? chunks[0] : Buffer.concat(chunks, size));
    });
    body.once('error', reject);
    body.once('close', () => {
      if (!ended) reject(new Error('the upstream body closed before its end'));
    });
  });
}

async function readBounded(body: Readable, limit: number): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of body) {
    chunks.push(chunk);
    size += chunk.length;
    if (size >= limit) {
      discardBody(body);
      break;
    }
  }
  return Buffer.concat(chunks, Math.min(size, limit)).subarray(0, limit);
}
