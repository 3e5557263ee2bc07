/**
 * One record per /v1 request, successful or not: what the store keeps, what the budgets are
 * charged with and what the admin API streams. Plain data, no I/O.
 */
export type Endpoint = 'chat.completions' | 'responses' | 'embeddings' | 'codex.responses';

export interface TokenUsage {
  inputTokens: number;
  cachedInputTokens: number;
  outputTokens: number;
  reasoningTokens: number;
}

export interface UsageRecord {
  requestId: string;
  /** Epoch milliseconds when the gateway received the request. */
  startedAt: number;
  /** Key id, or `anonymous` when auth is off and the bearer matched no key. */
  keyId: string;
  /** The account that served (or last failed) the request; null when none was tried. */
  accountId: string | null;
  /** The model as resolved in the config (canonical id, not an alias). */
  model: string;
  upstreamModel: string | null;
  endpoint: Endpoint;
  stream: boolean;
  /** HTTP status sent to the client (for streams, the status of the response head). */
  status: number;
  /** OpenAI-style error code when the request failed, e.g. `rate_limit_exceeded`. */
  errorCode: string | null;
  /** Upstream attempts made (0 when refused before routing). */
  attempts: number;
  /** Null when the upstream did not report usage (e.g. a stream cut short). */
  usage: TokenUsage | null;
  /** Integer micro-dollars; null when the price is unknown (never a made-up zero). */
  costMicroUsd: number | null;
  latencyMs: number;
  /** Time to first byte of the answer body sent to the client; null when none was sent. */
  ttftMs: number | null;
  userAgent: string | null;
}

/** The recorder port: accepts a record without waiting for any I/O. */
export interface UsageSink {
  record(record: UsageRecord): void;
}

/** An in-memory sink for tests and for running before a store is configured. */
export class MemoryUsageSink implements UsageSink {
  readonly records: UsageRecord[] = [];

  record(record: UsageRecord): void {
    this.records.push(record);
  }
}
