import type { IncomingHttpHeaders } from 'node:http';
import type { AccountConfig } from '../config/schema.js';
import type { AccountSpec, ModelSpec } from '../runtime/snapshot.js';
import type { AttemptAbort } from './attempt-abort.js';
import type { AccountFailure } from '../routing/cooldown-policy.js';
import type { Endpoint, TokenUsage } from '../usage/usage-record.js';
import type { HeaderBag } from './rate-limit-headers.js';
import type { StreamTap } from './sse-stream-tap.js';
import type { UpstreamResponse } from './upstream-client.js';

/** Everything an adapter needs to build one upstream attempt. */
export interface UpstreamCall {
  readonly account: AccountSpec;
  /** The model as it will be served (the requested one or a fallback). */
  readonly model: ModelSpec;
  readonly endpoint: Endpoint;
  /** The client's parsed JSON body; adapters copy before changing it. */
  readonly body: Readonly<Record<string, unknown>>;
  /** The client's bytes, forwarded untouched when nothing needs rewriting. */
  readonly rawBody: Buffer;
  readonly clientHeaders: IncomingHttpHeaders;
  /** The client asked for a stream. */
  readonly stream: boolean;
  readonly requestId: string;
}

/** One HTTP request to send upstream. */
export interface UpstreamRequest {
  readonly origin: string;
  readonly path: string;
  readonly headers: Record<string, string | string[]>;
  readonly body: Buffer | string;
  /** The adapter asked the upstream for stream usage the client did not want: strip it again. */
  readonly stripStreamUsage: boolean;
}

/**
 * One kind of upstream account (`openai` now, `chatgpt` in issue 6). Adapters are stateless
 * per request and long-lived; anything kind-specific (auth, paths, body rewriting, failure
 * meaning, stream translation, usage) lives behind this interface so the proxy stays generic.
 */
export interface ProviderAdapter {
  readonly kind: AccountConfig['kind'];
  /** Why the account can never serve as configured (e.g. an empty API key), or null. */
  unavailableReason(account: AccountSpec): string | null;
  /** May be async: OAuth accounts refresh tokens here. A GatewayError below 500 is the client's fault and answers it as is. */
  prepare(call: UpstreamCall): UpstreamRequest | Promise<UpstreamRequest>;
  /**
   * Optional own transport for what `prepare` built (default: the shared upstream client). The
   * chatgpt adapter uses it to refresh and retry once after a 401, and to translate the answer.
   */
  send?(request: UpstreamRequest, signal: AttemptAbort): Promise<UpstreamResponse>;
  /**
   * The account-level failure a response head represents (worth another account and a
   * cooldown), or null when the response is to be relayed as it is (2xx and ordinary 4xx).
   */
  classifyResponse(status: number, headers: HeaderBag, now: number): AccountFailure | null;
  /** Usage of a buffered (non-SSE) answer. */
  usageFromBody(endpoint: Endpoint, json: unknown): TokenUsage | null;
  /** The per-response SSE relay: forwarding decisions and usage capture. */
  createStreamTap(endpoint: Endpoint, request: UpstreamRequest): StreamTap;
}

/**
 * Thrown by an adapter when the account cannot serve at all until someone acts (e.g. a ChatGPT
 * seat whose refresh token was revoked needs a new sign-in). The proxy moves on to the next
 * account without a cooldown (the adapter reports the account unavailable from now on) and, when
 * no account served, answers 503 `no_accounts` with this message rather than a 502.
 */
export class AccountUnusableError extends Error {
  constructor(
    readonly accountId: string,
    message: string,
  ) {
    super(message);
    this.name = 'AccountUnusableError';
  }
}
