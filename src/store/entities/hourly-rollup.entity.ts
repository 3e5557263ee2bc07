import { EntitySchema } from 'typeorm';
import { HOURLY_ROLLUP_TABLE } from '../usage-tables.js';

/**
 * Usage per UTC hour × key × account × model. The primary key is that tuple, so upserts hit one
 * row and range scans by hour are clustered. A missing account is stored as '' (NO_ACCOUNT):
 * a NULL in a unique key would never conflict and would split the row.
 */
export interface HourlyRollupRow {
  hourStart: number;
  keyId: string;
  accountId: string;
  model: string;
  requests: number;
  errors: number;
  inputTokens: number;
  cachedInputTokens: number;
  outputTokens: number;
  reasoningTokens: number;
  costMicroUsd: number;
  unpricedRequests: number;
  latencyMsSum: number;
}

const counter = (name: string) => ({ name, type: 'bigint' as const, default: 0 });

export const hourlyRollupEntity = new EntitySchema<HourlyRollupRow>({
  name: 'HourlyRollup',
  tableName: HOURLY_ROLLUP_TABLE,
  columns: {
    hourStart: { name: 'hour_start', type: 'bigint', primary: true },
    keyId: { name: 'key_id', type: 'varchar', length: 128, primary: true },
    accountId: { name: 'account_id', type: 'varchar', length: 128, primary: true },
    model: { name: 'model', type: 'varchar', length: 128, primary: true },
    requests: counter('requests'),
    errors: counter('errors'),
    inputTokens: counter('input_tokens'),
    cachedInputTokens: counter('cached_input_tokens'),
    outputTokens: counter('output_tokens'),
    reasoningTokens: counter('reasoning_tokens'),
    costMicroUsd: counter('cost_micro_usd'),
    unpricedRequests: counter('unpriced_requests'),
    latencyMsSum: counter('latency_ms_sum'),
  },
  indices: [
    { name: 'ix_usage_hourly_rollup_key', columns: ['keyId', 'hourStart'] },
    { name: 'ix_usage_hourly_rollup_account', columns: ['accountId', 'hourStart'] },
    { name: 'ix_usage_hourly_rollup_model', columns: ['model', 'hourStart'] },
  ],
});
