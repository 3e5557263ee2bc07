import type { UsageRecord } from './usage-record.js';

/**
 * Pure aggregation of usage records into hourly rollup increments, shared by every store
 * dialect so they count identically.
 */
export const HOUR_MS = 3_600_000;
export const DAY_MS = 86_400_000;

/** The rollups key a missing account with '' because SQL unique keys treat NULLs as distinct. */
export const NO_ACCOUNT = '';

export interface RollupDelta {
  /** Epoch ms of the UTC hour the requests started in. */
  hourStart: number;
  keyId: string;
  /** `NO_ACCOUNT` ('') when no account was tried. */
  accountId: string;
  model: string;
  requests: number;
  /** Requests answered with a status ≥ 400. */
  errors: number;
  inputTokens: number;
  cachedInputTokens: number;
  outputTokens: number;
  reasoningTokens: number;
  /** Sum of the known costs, integer micro-USD. */
  costMicroUsd: number;
  /** Requests whose cost is unknown (no usage or no price): tells readers the cost sum is partial. */
  unpricedRequests: number;
  latencyMsSum: number;
}

export function hourStart(epochMs: number): number {
  return Math.floor(epochMs / HOUR_MS) * HOUR_MS;
}

export function dayStart(epochMs: number): number {
  return Math.floor(epochMs / DAY_MS) * DAY_MS;
}

/** One delta per (hour, key, account, model), in first-seen order so upserts lock rows in a stable order. */
export function rollupDeltas(records: readonly UsageRecord[]): RollupDelta[] {
  const byKey = new Map<string, RollupDelta>();
  for (const record of records) {
    const hour = hourStart(record.startedAt);
    const accountId = record.accountId ?? NO_ACCOUNT;
    const mapKey = JSON.stringify([hour, record.keyId, accountId, record.model]);
    let delta = byKey.get(mapKey);
    if (!delta) {
      delta = {
        hourStart: hour,
        keyId: record.keyId,
        accountId,
        model: record.model,
        requests: 0,
        errors: 0,
        inputTokens: 0,
        cachedInputTokens: 0,
        outputTokens: 0,
        reasoningTokens: 0,
        costMicroUsd: 0,
        unpricedRequests: 0,
        latencyMsSum: 0,
      };
      byKey.set(mapKey, delta);
    }
    delta.requests += 1;
    if (record.status >= 400) delta.errors += 1;
    if (record.usage) {
      delta.inputTokens += record.usage.inputTokens;
      delta.cachedInputTokens += record.usage.cachedInputTokens;
      delta.outputTokens += record.usage.outputTokens;
      delta.reasoningTokens += record.usage.reasoningTokens;
    }
    if (record.costMicroUsd === null) delta.unpricedRequests += 1;
    else delta.costMicroUsd += record.costMicroUsd;
    delta.latencyMsSum += record.latencyMs;
  }
  return [...byKey.values()];
}
