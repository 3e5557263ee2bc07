import { Readable } from 'node:stream';
import type { ChatgptAccountConfig } from '../../config/schema.js';
import type { AccountSpec } from '../../runtime/snapshot.js';
import type { AccountFailure } from '../../routing/cooldown-policy.js';
import type { Clock } from '../../shared/clock.js';
import { invalidRequest } from '../../shared/errors.js';
import type { Endpoint, TokenUsage } from '../../usage/usage-record.js';
import type { AttemptAbort } from '../attempt-abort.js';
import { accountCredentialStatus } from '../credential-status.js';
import { AccountUnusableError, type ProviderAdapter, type UpstreamCall, type UpstreamRequest } from '../provider-adapter.js';
import { headerValue, retryHintMs, type HeaderBag } from '../rate-limit-headers.js';
import { SseStreamTap, type StreamTap } from '../sse-stream-tap.js';
import { usageFromJsonBody } from '../token-usage.js';
import { discardBody, type UpstreamClient, type UpstreamResponse } from '../upstream-client.js';
import { chatToResponsesRequest } from './chat-to-responses.js';
import { quotaFromHeaders, quotaFromRateLimitsEvent } from './codex-quota.js';
import type { ContinuityIndex } from './continuity-index.js';
import { objectField, stringField } from './json-guards.js';
import type { QuotaTracker } from './quota-tracker.js';
import { normaliseResponsesRequest } from './responses-normaliser.js';
import type { ResponsesEvent } from './responses-types.js';
import { sessionHeaders } from './session-headers.js';
import { ChatBufferedConverter, ChatStreamConverter, PassThroughConverter, ResponsesBufferedConverter } from './stream-converters.js';
import { consumeSse, parseEventData, transformSse } from './sse-transform.js';
import { CredentialError, type AccessGrant, type ChatgptAccountRef, type TokenManager } from './token-manager.js';
import { usageLimitResetAt } from './usage-limit.js';

export interface ChatgptAdapterDeps {
  tokens: TokenManager;
  quota: QuotaTracker;
  continuity: ContinuityIndex;
  upstream: UpstreamClient;
  clock: Clock;
  /** Relative capacity of an account (plan), for the pool's aggregate quota headers. */
  capacityOf: (accountId: string) => number;
}

/** What `send` needs to know about a request `prepare` built. */
interface Prepared {
  readonly account: ChatgptAccountRef;
  readonly grant: AccessGrant;
  readonly endpoint: Endpoint;
  readonly clientStream: boolean;
  readonly clientModel: string;
  readonly pool: readonly string[];
}

const FAILOVER = new Set([401, 403, 500, 502, 503, 504]);

/**
 * ChatGPT/Codex seats: every call goes to `{baseUrl}/responses` with the account's OAuth access
 * token and `chatgpt-account-id`, always streamed. Chat requests are translated to Responses and
 * the stream back to chat chunks (or one completion); /v1/responses is normalised for the backend;
 * the Codex CLI's own route is passed through with its `codex.*` events. Owns its transport
 * (`send`) to refresh and retry once on 401, to read quotas and continuity ids on the way, and to
 * turn the backend's 429 `resets_at` into a Retry-After the proxy's cooldowns understand.
 */
export class ChatgptAdapter implements ProviderAdapter {
  readonly kind = 'chatgpt' as const;
  private readonly prepared = new WeakMap<UpstreamRequest, Prepared>();
  private readonly targets = new WeakMap<ChatgptAccountConfig, { origin: string; path: string }>();

  constructor(private readonly deps: ChatgptAdapterDeps) {}

  unavailableReason(account: AccountSpec): string | null {
    if (account.config.kind !== 'chatgpt') return 'not a chatgpt account';
    const status = this.deps.tokens.status(account.id);
    if (status?.reauthRequired) return `needs a new sign-in (reauth_required): ${status.reauthReason}`;
    return status === null ? (accountCredentialStatus(account.config).reason ?? null) : null;
  }

  async prepare(call: UpstreamCall): Promise<UpstreamRequest> {
    const config = call.account.config;
    if (config.kind !== 'chatgpt') throw new Error(`account '${call.account.id}' is not a chatgpt account`);
    if (call.endpoint === 'embeddings') {
      throw invalidRequest(`Embeddings are not available on ChatGPT accounts (model '${call.model.id}' is served by '${call.account.id}').`, 'model', 'unsupported_endpoint');
    }
    // Translate first: a malformed request must not cost a token refresh.
    const upstreamBody =
      call.endpoint === 'chat.completions'
        ? chatToResponsesRequest(call.body, call.model.upstreamModel).request
        : normaliseResponsesRequest(call.body, call.model.upstreamModel).body;
    const includeUsage = objectField(call.body, 'stream_options')?.include_usage === true;
    const account = { id: call.account.id, config };
    const grant = await this.deps.tokens.grant(account).catch(unusableOnPermanent);
    const target = this.target(config);
    const request: UpstreamRequest = {
      origin: target.origin,
      path: target.path,
      headers: withGrant(
        { ...sessionHeaders(call.clientHeaders), 'content-type': 'application/json', accept: 'text/event-stream', 'accept-encoding': 'identity' },
        grant,
      ),
      body: JSON.stringify(upstreamBody),
      // Chat streams always get the usage chunk from the translation; the tap drops it again.
      stripStreamUsage: call.endpoint === 'chat.completions' && call.stream && !includeUsage,
    };
    this.prepared.set(request, {
      account,
      grant,
      endpoint: call.endpoint,
      clientStream: call.stream,
      clientModel: stringField(call.body, 'model') ?? call.model.id,
      pool: call.model.accountIds,
    });
    return request;
  }

  async send(request: UpstreamRequest, signal: AttemptAbort): Promise<UpstreamResponse> {
    const prepared = this.prepared.get(request);
    if (prepared === undefined) return this.deps.upstream.send(request, signal);
    let response = await this.deps.upstream.send(request, signal);
    if (response.status === 401) {
      discardBody(response.body);
      const grant = await this.deps.tokens.refreshAfterUnauthorized(prepared.account, prepared.grant.accessToken).catch(unusableOnPermanent);
      response = await this.deps.upstream.send({ ...request, headers: withGrant({ ...request.headers }, grant) }, signal);
    }
    const accountId = prepared.account.id;
    const now = this.deps.clock.now();
    this.deps.quota.record(accountId, quotaFromHeaders((name) => headerValue(response.headers, name), now));
    const headers = this.clientHeaders(response.headers, prepared);
    if (response.status === 429) return this.usageLimited(response, headers, now);
    const contentType = headerValue(response.headers, 'content-type') ?? '';
    if (response.status !== 200 || !contentType.includes('text/event-stream')) return { ...response, headers };

    const observe = (data: ResponsesEvent) => this.observe(accountId, data);
    const chatOptions = { model: prepared.clientModel, includeUsage: true, created: Math.floor(now / 1000), fallbackId: `chatcmpl-${accountId}-${now}` };
    if (prepared.clientStream) {
      const converter = prepared.endpoint === 'chat.completions' ? new ChatStreamConverter(chatOptions) : new PassThroughConverter(prepared.endpoint === 'codex.responses');
      const body = transformSse(
        response.body,
        (message) => {
          const data = parseEventData(message);
          if (data !== null) observe(data);
          return converter.onEvent(message, data);
        },
        () => converter.end(),
      );
      return { status: 200, headers: { ...headers, 'content-type': 'text/event-stream; charset=utf-8' }, body: Readable.from(body) };
    }
    // The backend only streams: a non-streaming client gets the stream folded into one answer.
    const converter = prepared.endpoint === 'chat.completions' ? new ChatBufferedConverter(chatOptions) : new ResponsesBufferedConverter();
    await consumeSse(response.body, (message) => {
      const data = parseEventData(message);
      if (data === null) return;
      observe(data);
      converter.onEvent(data);
    });
    const result = converter.result();
    return { status: result.status, headers: { ...headers, 'content-type': 'application/json' }, body: Readable.from([Buffer.from(JSON.stringify(result.body))]) };
  }

  classifyResponse(status: number, headers: HeaderBag, now: number): AccountFailure | null {
    if (status === 429) return { kind: 'rate_limited', status, retryAfterMs: retryHintMs(headers, now), message: 'usage limit reached' };
    if (!FAILOVER.has(status)) return null;
    const message = status === 401 || status === 403 ? `the Codex backend refused the account's credentials (${status})` : `upstream answered ${status}`;
    return { kind: 'server_error', status, retryAfterMs: retryHintMs(headers, now), message };
  }

  usageFromBody(_endpoint: Endpoint, json: unknown): TokenUsage | null {
    return usageFromJsonBody(json);
  }

  createStreamTap(endpoint: Endpoint, request: UpstreamRequest): StreamTap {
    return new SseStreamTap(endpoint, request.stripStreamUsage);
  }

  /** Quota and continuity facts from the stream: `codex.rate_limits`, response and reasoning ids. */
  private observe(accountId: string, data: ResponsesEvent): void {
    switch (data.type) {
      case 'codex.rate_limits':
        this.deps.quota.record(accountId, quotaFromRateLimitsEvent(data, this.deps.clock.now()));
        break;
      case 'response.created': {
        const id = stringField(objectField(data, 'response') ?? {}, 'id');
        if (id !== undefined) this.deps.continuity.rememberResponse(id, accountId);
        break;
      }
      case 'response.output_item.done': {
        const item = objectField(data, 'item');
        if (item?.type === 'reasoning') this.deps.continuity.rememberReasoning(stringField(item, 'id'), stringField(item, 'encrypted_content'), accountId);
        break;
      }
      default:
        break;
    }
  }

  /** Upstream headers, with the account's own `x-codex-*` quota replaced by the pool's aggregate. */
  private clientHeaders(upstream: HeaderBag, prepared: Prepared): Record<string, string | string[]> {
    const out: Record<string, string | string[]> = {};
    for (const name in upstream) {
      const value = upstream[name];
      if (value !== undefined && !name.startsWith('x-codex-')) out[name] = value;
    }
    const pool = this.deps.quota.poolHeaders(prepared.pool.map((id) => ({ id, capacity: this.deps.capacityOf(id) })));
    return { ...out, ...pool };
  }

  /** 429 usage_limit_reached: `resets_at` from the body becomes Retry-After (cooldown and client hint). */
  private async usageLimited(response: UpstreamResponse, headers: Record<string, string | string[]>, now: number): Promise<UpstreamResponse> {
    const chunks: Buffer[] = [];
    for await (const chunk of response.body) chunks.push(chunk as Buffer);
    const body = Buffer.concat(chunks);
    let json: unknown = null;
    try {
      json = JSON.parse(body.toString('utf8'));
    } catch {
      // not JSON: no reset time
    }
    const resetAt = usageLimitResetAt(json, now);
    const out = { ...headers };
    if (resetAt !== null && headerValue(response.headers, 'retry-after') === undefined) out['retry-after'] = String(Math.max(1, Math.ceil((resetAt - now) / 1000)));
    return { status: 429, headers: out, body: Readable.from([body]) };
  }

  private target(config: ChatgptAccountConfig): { origin: string; path: string } {
    let target = this.targets.get(config);
    if (target === undefined) {
      const url = new URL(config.baseUrl);
      target = { origin: url.origin, path: `${url.pathname.replace(/\/+$/, '')}/responses` };
      this.targets.set(config, target);
    }
    return target;
  }
}

function withGrant(headers: Record<string, string | string[]>, grant: AccessGrant): Record<string, string | string[]> {
  headers.authorization = `Bearer ${grant.accessToken}`;
  headers['chatgpt-account-id'] = grant.chatgptAccountId;
  return headers;
}

/** A permanent credential failure (only a new sign-in helps) makes the account unusable for the proxy. */
function unusableOnPermanent(error: unknown): never {
  if (error instanceof CredentialError && error.permanent) throw new AccountUnusableError(error.accountId, error.message);
  throw error;
}
