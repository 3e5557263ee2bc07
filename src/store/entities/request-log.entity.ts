import { EntitySchema } from 'typeorm';
import { REQUEST_LOG_LENGTHS, REQUEST_LOG_TABLE } from '../usage-tables.js';

/**
 * One row per /v1 request (the UsageRecord as stored). EntitySchema instead of decorators:
 * tsx/esbuild/vitest emit no decorator metadata, and explicit column types make the mapping
 * the same under every transpiler. Times are epoch-ms bigints: identical on SQLite and MariaDB,
 * millisecond precision, no time-zone conversion anywhere.
 */
export interface RequestLogRow {
  id: number;
  requestId: string;
  startedAt: number;
  keyId: string;
  accountId: string | null;
  model: string;
  upstreamModel: string | null;
  endpoint: string;
  stream: boolean;
  status: number;
  errorCode: string | null;
  attempts: number;
  inputTokens: number | null;
  cachedInputTokens: number | null;
  outputTokens: number | null;
  reasoningTokens: number | null;
  costMicroUsd: number | null;
  latencyMs: number;
  ttftMs: number | null;
  userAgent: string | null;
}

export const requestLogEntity = new EntitySchema<RequestLogRow>({
  name: 'RequestLog',
  tableName: REQUEST_LOG_TABLE,
  columns: {
    id: { type: 'integer', primary: true, generated: 'increment' },
    requestId: { name: 'request_id', type: 'varchar', length: REQUEST_LOG_LENGTHS.requestId },
    startedAt: { name: 'started_at', type: 'bigint' },
    keyId: { name: 'key_id', type: 'varchar', length: REQUEST_LOG_LENGTHS.keyId },
    accountId: { name: 'account_id', type: 'varchar', length: REQUEST_LOG_LENGTHS.accountId, nullable: true },
    model: { name: 'model', type: 'varchar', length: REQUEST_LOG_LENGTHS.model },
    upstreamModel: { name: 'upstream_model', type: 'varchar', length: REQUEST_LOG_LENGTHS.upstreamModel, nullable: true },
    endpoint: { name: 'endpoint', type: 'varchar', length: REQUEST_LOG_LENGTHS.endpoint },
    stream: { name: 'stream', type: 'boolean' },
    status: { name: 'status', type: 'integer' },
    errorCode: { name: 'error_code', type: 'varchar', length: REQUEST_LOG_LENGTHS.errorCode, nullable: true },
    attempts: { name: 'attempts', type: 'integer' },
    inputTokens: { name: 'input_tokens', type: 'integer', nullable: true },
    cachedInputTokens: { name: 'cached_input_tokens', type: 'integer', nullable: true },
    outputTokens: { name: 'output_tokens', type: 'integer', nullable: true },
    reasoningTokens: { name: 'reasoning_tokens', type: 'integer', nullable: true },
    costMicroUsd: { name: 'cost_micro_usd', type: 'bigint', nullable: true },
    latencyMs: { name: 'latency_ms', type: 'integer' },
    ttftMs: { name: 'ttft_ms', type: 'integer', nullable: true },
    userAgent: { name: 'user_agent', type: 'varchar', length: REQUEST_LOG_LENGTHS.userAgent, nullable: true },
  },
  uniques: [{ name: 'uq_usage_request_log_request_id', columns: ['requestId'] }],
  indices: [
    { name: 'ix_usage_request_log_started', columns: ['startedAt', 'id'] },
    { name: 'ix_usage_request_log_key', columns: ['keyId', 'startedAt'] },
    { name: 'ix_usage_request_log_account', columns: ['accountId', 'startedAt'] },
    { name: 'ix_usage_request_log_model', columns: ['model', 'startedAt'] },
  ],
});
