import type { DataSource } from 'typeorm';
import { DAY_MS, NO_ACCOUNT, hourStart } from '../usage/rollup.js';
import type { Endpoint } from '../usage/usage-record.js';
import {
  REQUEST_LOG_DEFAULT_LIMIT,
  REQUEST_LOG_MAX_LIMIT,
  type RequestLogEntry,
  type RequestLogPage,
  type RequestLogQuery,
  type TimeRange,
  type UsageFilter,
  type UsageGroupBy,
  type UsageGroupRow,
  type UsageQuery,
  type UsageTotals,
} from '../usage/usage-query.js';
import { invalidRequest } from '../shared/errors.js';
import { HOURLY_ROLLUP_TABLE, REQUEST_LOG_TABLE } from './usage-tables.js';
import { decodeCursor, encodeCursor } from './request-log-cursor.js';
import { toNumber, toNumberOrNull } from './sql-dialect.js';

type Params = (string | number)[];
type Row = Record<string, unknown>;

const TOTAL_COLUMNS: [keyof UsageTotals, string][] = [
  ['requests', 'requests'],
  ['errors', 'errors'],
  ['inputTokens', 'input_tokens'],
  ['cachedInputTokens', 'cached_input_tokens'],
  ['outputTokens', 'output_tokens'],
  ['reasoningTokens', 'reasoning_tokens'],
  ['costMicroUsd', 'cost_micro_usd'],
  ['unpricedRequests', 'unpriced_requests'],
  ['latencyMsSum', 'latency_ms_sum'],
];
const SUMS = TOTAL_COLUMNS.map(([, col]) => `COALESCE(SUM(${col}), 0) AS ${col}`).join(', ');

/** Group expressions; the same SQL on both dialects (integer arithmetic on epoch-ms bigints). */
const GROUP_EXPR: Record<UsageGroupBy, { expr: string; alias: string }> = {
  key: { expr: 'key_id', alias: 'g_key' },
  account: { expr: 'account_id', alias: 'g_account' },
  model: { expr: 'model', alias: 'g_model' },
  hour: { expr: 'hour_start', alias: 'g_bucket' },
  day: { expr: `(hour_start - (hour_start % ${DAY_MS}))`, alias: 'g_bucket' },
};
/** Output order: time first (a series), then the dimensions. */
const GROUP_ORDER: UsageGroupBy[] = ['hour', 'day', 'key', 'account', 'model'];

const LOG_SELECT =
  'id, request_id, started_at, key_id, account_id, model, upstream_model, endpoint, stream, status, error_code, attempts, ' +
  'input_tokens, cached_input_tokens, output_tokens, reasoning_tokens, cost_micro_usd, latency_ms, ttft_ms, user_agent';

/**
 * UsageQuery on SQL. Every number goes through `Number()` (MariaDB sends BIGINT and SUM() as
 * strings), and strings sort byte-wise on both dialects (binary collation), so SQLite and MariaDB
 * return identical results for identical data.
 */
export class SqlUsageQuery implements UsageQuery {
  constructor(private readonly dataSource: DataSource) {}

  async totals(range: TimeRange, filter: UsageFilter = {}): Promise<UsageTotals> {
    const [where, params] = rollupWhere(range, filter);
    const rows: Row[] = await this.dataSource.query(`SELECT ${SUMS} FROM ${HOURLY_ROLLUP_TABLE} WHERE ${where}`, params);
    return totalsOf(rows[0] ?? {});
  }

  async grouped(range: TimeRange, groupBy: readonly UsageGroupBy[], filter: UsageFilter = {}): Promise<UsageGroupRow[]> {
    const dims = GROUP_ORDER.filter((dim) => groupBy.includes(dim));
    if (dims.includes('hour') && dims.includes('day')) {
      throw invalidRequest('group by hour or by day, not both', 'groupBy');
    }
    if (dims.length === 0) return [{ group: {}, ...(await this.totals(range, filter)) }];
    const [where, params] = rollupWhere(range, filter);
    const select = dims.map((dim) => `${GROUP_EXPR[dim].expr} AS ${GROUP_EXPR[dim].alias}`).join(', ');
    const groupExprs = dims.map((dim) => GROUP_EXPR[dim].expr).join(', ');
    const order = dims.map((dim) => GROUP_EXPR[dim].alias).join(', ');
    const rows: Row[] = await this.dataSource.query(
      `SELECT ${select}, ${SUMS} FROM ${HOURLY_ROLLUP_TABLE} WHERE ${where} GROUP BY ${groupExprs} ORDER BY ${order}`,
      params,
    );
    return rows.map((row) => {
      const group: UsageGroupRow['group'] = {};
      if (dims.includes('hour') || dims.includes('day')) group.bucketStart = toNumber(row.g_bucket);
      if (dims.includes('key')) group.keyId = String(row.g_key);
      if (dims.includes('account')) group.accountId = row.g_account === NO_ACCOUNT ? null : String(row.g_account);
      if (dims.includes('model')) group.model = String(row.g_model);
      return { group, ...totalsOf(row) };
    });
  }

  async requestLog(query: RequestLogQuery): Promise<RequestLogPage> {
    const limit = Math.min(REQUEST_LOG_MAX_LIMIT, Math.max(1, Math.floor(query.limit ?? REQUEST_LOG_DEFAULT_LIMIT)));
    const where = new Where();
    if (query.from !== undefined) where.add('started_at >= ?', query.from);
    if (query.to !== undefined) where.add('started_at < ?', query.to);
    if (query.keyId !== undefined) where.add('key_id = ?', query.keyId);
    if (query.accountId === null) where.add('account_id IS NULL');
    else if (query.accountId !== undefined) where.add('account_id = ?', query.accountId);
    if (query.model !== undefined) where.add('model = ?', query.model);
    if (query.statusClass !== undefined) {
      where.add('status >= ? AND status < ?', query.statusClass * 100, query.statusClass * 100 + 100);
    }
    if (query.cursor) {
      const after = decodeCursor(query.cursor);
      where.add('(started_at < ? OR (started_at = ? AND id < ?))', after.startedAt, after.startedAt, after.id);
    }
    // One extra row tells whether another page exists without a COUNT.
    const rows: Row[] = await this.dataSource.query(
      `SELECT ${LOG_SELECT} FROM ${REQUEST_LOG_TABLE} ${where.clause()} ORDER BY started_at DESC, id DESC LIMIT ${limit + 1}`,
      where.params,
    );
    const items = rows.slice(0, limit).map(toEntry);
    const last = items[items.length - 1];
    return {
      items,
      nextCursor: rows.length > limit && last ? encodeCursor({ startedAt: last.startedAt, id: last.id }) : null,
    };
  }
}

function rollupWhere(range: TimeRange, filter: UsageFilter): [string, Params] {
  const where = new Where();
  // Hour buckets that overlap [from, to): the hour containing `from` counts.
  where.add('hour_start >= ? AND hour_start < ?', hourStart(range.from), range.to);
  if (filter.keyId !== undefined) where.add('key_id = ?', filter.keyId);
  if (filter.accountId !== undefined) where.add('account_id = ?', filter.accountId ?? NO_ACCOUNT);
  if (filter.model !== undefined) where.add('model = ?', filter.model);
  return [where.conditions.join(' AND '), where.params];
}

class Where {
  readonly conditions: string[] = [];
  readonly params: Params = [];

  add(condition: string, ...params: Params): void {
    this.conditions.push(condition);
    this.params.push(...params);
  }

  clause(): string {
    return this.conditions.length ? `WHERE ${this.conditions.join(' AND ')}` : '';
  }
}

function totalsOf(row: Row): UsageTotals {
  const totals = {} as UsageTotals;
  for (const [field, column] of TOTAL_COLUMNS) totals[field] = toNumber(row[column]);
  return totals;
}

function toEntry(row: Row): RequestLogEntry {
  const input = toNumberOrNull(row.input_tokens);
  return {
    id: toNumber(row.id),
    requestId: String(row.request_id),
    startedAt: toNumber(row.started_at),
    keyId: String(row.key_id),
    accountId: row.account_id === null ? null : String(row.account_id),
    model: String(row.model),
    upstreamModel: row.upstream_model === null ? null : String(row.upstream_model),
    endpoint: String(row.endpoint) as Endpoint,
    stream: toNumber(row.stream) !== 0,
    status: toNumber(row.status),
    errorCode: row.error_code === null ? null : String(row.error_code),
    attempts: toNumber(row.attempts),
    usage:
      input === null
        ? null
        : {
            inputTokens: input,
            cachedInputTokens: toNumber(row.cached_input_tokens),
            outputTokens: toNumber(row.output_tokens),
            reasoningTokens: toNumber(row.reasoning_tokens),
          },
    costMicroUsd: toNumberOrNull(row.cost_micro_usd),
    latencyMs: toNumber(row.latency_ms),
    ttftMs: toNumberOrNull(row.ttft_ms),
    userAgent: row.user_agent === null ? null : String(row.user_agent),
  };
}
