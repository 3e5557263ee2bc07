import type { OpenAiAccountConfig } from '../config/schema.js';
import type { AccountSpec } from '../runtime/snapshot.js';
import type { AccountFailure } from '../routing/cooldown-policy.js';
import type { Endpoint, TokenUsage } from '../usage/usage-record.js';
import { upstreamRequestHeaders } from './forwarded-headers.js';
import type { ProviderAdapter, UpstreamCall, UpstreamRequest } from './provider-adapter.js';
import { retryHintMs, type HeaderBag } from './rate-limit-headers.js';
import { SseStreamTap, type StreamTap } from './sse-stream-tap.js';
import { isRecord, usageFromJsonBody } from './token-usage.js';

const PATHS: Record<Endpoint, string> = {
  'chat.completions': '/chat/completions',
  responses: '/responses',
  embeddings: '/embeddings',
  'codex.responses': '/responses',
};

/** Statuses that mean "this account, right now" rather than "this request": worth another account. */
const FAILOVER_STATUSES = new Set([429, 500, 502, 503, 504]);

interface Target {
  origin: string;
  basePath: string;
}

/**
 * Any OpenAI-compatible endpoint with an API key: a pass-through. The body is forwarded as the
 * client's bytes unless the model name must change or stream usage must be requested; the
 * account's key replaces whatever credentials the client sent.
 */
export class OpenAiAdapter implements ProviderAdapter {
  readonly kind = 'openai' as const;
  /** Parsed base URLs per (frozen, per-snapshot) account config: no URL parsing per request. */
  private readonly targets = new WeakMap<OpenAiAccountConfig, Target>();

  unavailableReason(account: AccountSpec): string | null {
    const config = account.config;
    if (config.kind !== 'openai') return `not an openai account`;
    return config.apiKey.trim() === '' ? 'no API key (apiKey is empty)' : null;
  }

  prepare(call: UpstreamCall): UpstreamRequest {
    const config = call.account.config;
    if (config.kind !== 'openai') throw new Error(`account '${call.account.id}' is not an openai account`);
    const target = this.target(config);
    const { body, stripStreamUsage } = upstreamBody(call);
    const headers = upstreamRequestHeaders(call.clientHeaders);
    if (config.headers !== undefined) for (const name in config.headers) headers[name.toLowerCase()] = config.headers[name];
    headers.authorization = `Bearer ${config.apiKey}`;
    headers['content-type'] = 'application/json';
    // Identity, so usage can be read from the body on its way through.
    headers['accept-encoding'] = 'identity';
    return { origin: target.origin, path: target.basePath + PATHS[call.endpoint], headers, body, stripStreamUsage };
  }

  classifyResponse(status: number, headers: HeaderBag, now: number): AccountFailure | null {
    if (!FAILOVER_STATUSES.has(status)) return null;
    return {
      kind: status === 429 ? 'rate_limited' : 'server_error',
      status,
      retryAfterMs: retryHintMs(headers, now),
      message: `upstream answered ${status}`,
    };
  }

  usageFromBody(_endpoint: Endpoint, json: unknown): TokenUsage | null {
    return usageFromJsonBody(json);
  }

  createStreamTap(endpoint: Endpoint, request: UpstreamRequest): StreamTap {
    return new SseStreamTap(endpoint, request.stripStreamUsage);
  }

  private target(config: OpenAiAccountConfig): Target {
    let target = this.targets.get(config);
    if (target === undefined) {
      const url = new URL(config.baseUrl);
      target = { origin: url.origin, basePath: url.pathname.replace(/\/+$/, '') };
      this.targets.set(config, target);
    }
    return target;
  }
}

/**
 * The body to send: the client's own bytes when they already say the right thing, else one
 * re-serialisation with `model` rewritten and, for a chat stream whose client did not ask for
 * usage, `stream_options.include_usage` set (the tap strips the extra chunk again).
 */
function upstreamBody(call: UpstreamCall): { body: Buffer | string; stripStreamUsage: boolean } {
  const { body, model } = call;
  const streamOptions = body.stream_options;
  const wantsUsage = isRecord(streamOptions) && streamOptions.include_usage === true;
  const addUsage = call.endpoint === 'chat.completions' && call.stream && !wantsUsage;
  if (body.model === model.upstreamModel && !addUsage) return { body: call.rawBody, stripStreamUsage: false };
  const copy: Record<string, unknown> = { ...body, model: model.upstreamModel };
  if (addUsage) copy.stream_options = { ...(isRecord(streamOptions) ? streamOptions : {}), include_usage: true };
  return { body: JSON.stringify(copy), stripStreamUsage: addUsage };
}
