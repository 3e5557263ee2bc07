import { rollupDeltas, type RollupDelta } from '../usage/rollup.js';
import type { UsageRecord } from '../usage/usage-record.js';
import type { UsageWriteResult, UsageWriter } from '../usage/usage-writer.js';
import { sqlDialect, stableChunks, valuesPlaceholders, type SqlDialect } from './sql-dialect.js';
import type { SqlQuery, SqlSession, SqlValue } from './sql-session.js';
import type { StoreDialect } from './storage-url.js';
import { HOURLY_ROLLUP_TABLE, REQUEST_LOG_LENGTHS, REQUEST_LOG_TABLE } from './usage-tables.js';

const LOG_COLUMNS = [
  'request_id', 'started_at', 'key_id', 'account_id', 'model', 'upstream_model', 'endpoint', 'stream', 'status',
  'error_code', 'attempts', 'input_tokens', 'cached_input_tokens', 'output_tokens', 'reasoning_tokens',
  'cost_micro_usd', 'latency_ms', 'ttft_ms', 'user_agent',
] as const;

const ROLLUP_KEYS = ['hour_start', 'key_id', 'account_id', 'model'] as const;
const ROLLUP_COUNTERS = [
  'requests', 'errors', 'input_tokens', 'cached_input_tokens', 'output_tokens', 'reasoning_tokens',
  'cost_micro_usd', 'unpriced_requests', 'latency_ms_sum',
] as const;

/**
 * The UsageWriter on SQL. One transaction per batch: find which request ids the log already has,
 * insert the others, then add only those to the hourly rollups. A duplicate (a retried batch whose
 * first commit did land, a spool replayed twice) is therefore skipped whole, and the rollups stay
 * exact. If another instance inserts the same id between the check and the insert, the unique key
 * fails the transaction and the retry sees the row: still counted once.
 */
export class SqlUsageWriter implements UsageWriter {
  private readonly dialect: SqlDialect;
  private readonly rollupSql: (rows: number) => string;

  constructor(
    private readonly session: SqlSession,
    dialect: StoreDialect,
  ) {
    this.dialect = sqlDialect(dialect);
    const suffix = this.dialect.upsertAddSuffix(ROLLUP_KEYS, ROLLUP_COUNTERS);
    const columns = [...ROLLUP_KEYS, ...ROLLUP_COUNTERS];
    this.rollupSql = (rows) =>
      `INSERT INTO ${HOURLY_ROLLUP_TABLE} (${columns.join(', ')}) VALUES ${valuesPlaceholders(rows, columns.length)} ${suffix}`;
  }

  async write(records: readonly UsageRecord[]): Promise<UsageWriteResult> {
    if (records.length === 0) return { inserted: 0, duplicates: 0 };
    const unique = firstOfEachRequestId(records.map(sanitize));
    return this.session.transaction(async (query) => {
      const existing = await this.existingRequestIds(query, unique.map((r) => r.requestId));
      const fresh = existing.size === 0 ? unique : unique.filter((r) => !existing.has(r.requestId));
      for (const chunk of stableChunks(fresh)) {
        const sql = `INSERT INTO ${REQUEST_LOG_TABLE} (${LOG_COLUMNS.join(', ')}) VALUES ${valuesPlaceholders(chunk.length, LOG_COLUMNS.length)}`;
        await query(sql, chunk.flatMap(logValues));
      }
      // Sorted so concurrent writers (several instances on one MariaDB) lock rollup rows in the same order.
      const deltas = rollupDeltas(fresh).sort(compareDeltas);
      for (const chunk of stableChunks(deltas)) {
        await query(this.rollupSql(chunk.length), chunk.flatMap(rollupValues));
      }
      return { inserted: fresh.length, duplicates: records.length - fresh.length };
    });
  }

  private async existingRequestIds(query: SqlQuery, ids: readonly string[]): Promise<Set<string>> {
    const found = new Set<string>();
    for (const chunk of stableChunks(ids)) {
      const rows = await query(
        `SELECT request_id FROM ${REQUEST_LOG_TABLE} WHERE request_id IN (${chunk.map(() => '?').join(', ')})`,
        chunk,
      );
      for (const row of rows) found.add(String(row.request_id));
    }
    return found;
  }
}

function firstOfEachRequestId(records: UsageRecord[]): UsageRecord[] {
  const seen = new Set<string>();
  return records.filter((record) => {
    if (seen.has(record.requestId)) return false;
    seen.add(record.requestId);
    return true;
  });
}

/**
 * Fit a record to its columns instead of letting one odd value (a 2 KB user agent, a fractional
 * latency) fail the whole batch forever: the recorder would retry it without end.
 */
function sanitize(record: UsageRecord): UsageRecord {
  const L = REQUEST_LOG_LENGTHS;
  return {
    ...record,
    requestId: cut(record.requestId, L.requestId),
    startedAt: int(record.startedAt),
    keyId: cut(record.keyId, L.keyId),
    accountId: cutOrNull(record.accountId, L.accountId),
    model: cut(record.model, L.model),
    upstreamModel: cutOrNull(record.upstreamModel, L.upstreamModel),
    endpoint: cut(record.endpoint, L.endpoint) as UsageRecord['endpoint'],
    status: int(record.status),
    errorCode: cutOrNull(record.errorCode, L.errorCode),
    attempts: int(record.attempts),
    usage: record.usage && {
      inputTokens: int(record.usage.inputTokens),
      cachedInputTokens: int(record.usage.cachedInputTokens),
      outputTokens: int(record.usage.outputTokens),
      reasoningTokens: int(record.usage.reasoningTokens),
    },
    costMicroUsd: record.costMicroUsd === null ? null : int(record.costMicroUsd),
    latencyMs: int(record.latencyMs),
    ttftMs: record.ttftMs === null ? null : int(record.ttftMs),
    userAgent: cutOrNull(record.userAgent, L.userAgent),
  };
}

function cut(text: string, max: number): string {
  const value = String(text);
  // By code points: MariaDB counts characters, and a cut must not split a surrogate pair.
  return value.length <= max ? value : Array.from(value).slice(0, max).join('');
}

function cutOrNull(text: string | null, max: number): string | null {
  return text === null || text === undefined ? null : cut(text, max);
}

function int(value: number): number {
  return Number.isFinite(value) ? Math.max(0, Math.round(value)) : 0;
}

function logValues(r: UsageRecord): SqlValue[] {
  const u = r.usage;
  return [
    r.requestId, r.startedAt, r.keyId, r.accountId, r.model, r.upstreamModel, r.endpoint, r.stream ? 1 : 0, r.status,
    r.errorCode, r.attempts, u ? u.inputTokens : null, u ? u.cachedInputTokens : null, u ? u.outputTokens : null,
    u ? u.reasoningTokens : null, r.costMicroUsd, r.latencyMs, r.ttftMs, r.userAgent,
  ];
}

function rollupValues(d: RollupDelta): SqlValue[] {
  return [
    d.hourStart, d.keyId, d.accountId, d.model, d.requests, d.errors, d.inputTokens, d.cachedInputTokens,
    d.outputTokens, d.reasoningTokens, d.costMicroUsd, d.unpricedRequests, d.latencyMsSum,
  ];
}

function compareDeltas(a: RollupDelta, b: RollupDelta): number {
  return a.hourStart - b.hourStart || cmp(a.keyId, b.keyId) || cmp(a.accountId, b.accountId) || cmp(a.model, b.model);
}

function cmp(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
