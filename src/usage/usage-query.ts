import type { UsageRecord } from './usage-record.js';

/**
 * The read side of the usage store, used by the GraphQL admin API and the dashboard.
 * Implemented in `src/store/`; every dialect returns identical plain numbers and strings.
 *
 * Times are epoch milliseconds, ranges are half-open `[from, to)`. Totals and series come from
 * the hourly rollups, so they have hour granularity: every hour bucket that overlaps the range
 * counts whole (pass hour-aligned bounds for exact figures). Day buckets are UTC days.
 */
export interface TimeRange {
  from: number;
  to: number;
}

export interface UsageFilter {
  keyId?: string;
  /** `null` selects requests that reached no account. */
  accountId?: string | null;
  model?: string;
}

export interface UsageTotals {
  requests: number;
  errors: number;
  inputTokens: number;
  cachedInputTokens: number;
  outputTokens: number;
  reasoningTokens: number;
  /** Sum of the known costs, integer micro-USD. */
  costMicroUsd: number;
  /** Requests whose cost was unknown: when > 0, `costMicroUsd` is a lower bound. */
  unpricedRequests: number;
  latencyMsSum: number;
}

export type UsageDimension = 'key' | 'account' | 'model';
export type UsageBucket = 'hour' | 'day';
export type UsageGroupBy = UsageDimension | UsageBucket;

/** The values a row is grouped by; only the requested fields are present. */
export interface UsageGroupKey {
  keyId?: string;
  /** null = requests that reached no account. */
  accountId?: string | null;
  model?: string;
  /** Epoch ms of the hour or UTC day. */
  bucketStart?: number;
}

export interface UsageGroupRow extends UsageTotals {
  group: UsageGroupKey;
}

/** Status classes for the request log filter: 2 = 2xx … 5 = 5xx. */
export type StatusClass = 1 | 2 | 3 | 4 | 5;

export interface RequestLogQuery extends UsageFilter {
  /** Either bound may be omitted. */
  from?: number;
  to?: number;
  statusClass?: StatusClass;
  /** Page size, 1…500 (default 50). */
  limit?: number;
  /** `nextCursor` of the previous page; opaque. */
  cursor?: string | null;
}

export interface RequestLogEntry extends UsageRecord {
  /** Store row id: stable, increasing in insertion order. */
  id: number;
}

export interface RequestLogPage {
  /** Newest first (by `startedAt`, then `id`). */
  items: RequestLogEntry[];
  /** Null on the last page. */
  nextCursor: string | null;
}

export interface UsageQuery {
  totals(range: TimeRange, filter?: UsageFilter): Promise<UsageTotals>;
  /**
   * Totals grouped by any of key, account, model and at most one of hour/day (a time series).
   * Rows are ordered by bucket, then key, account, model ascending.
   */
  grouped(range: TimeRange, groupBy: readonly UsageGroupBy[], filter?: UsageFilter): Promise<UsageGroupRow[]>;
  requestLog(query: RequestLogQuery): Promise<RequestLogPage>;
}

export const REQUEST_LOG_DEFAULT_LIMIT = 50;
export const REQUEST_LOG_MAX_LIMIT = 500;

export function emptyTotals(): UsageTotals {
  return {
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
}
