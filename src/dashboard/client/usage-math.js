// @ts-check
import { clientFamily } from './ua-family.js';

/**
 * Sums over usage rows and request records. The dashboard asks for one report grouped by key,
 * account, model and time bucket together, and folds it here along each dimension, so the
 * overview, the chart and every table come from the same numbers and always agree.
 */

/** @typedef {import('./types.js').Totals} Totals */
/** @typedef {import('./types.js').UsageRow} UsageRow */
/** @typedef {import('./types.js').RequestRecord} RequestRecord */

/** @returns {Totals} */
export function emptyTotals() {
  return { requests: 0, errors: 0, inputTokens: 0, cachedInputTokens: 0, outputTokens: 0, reasoningTokens: 0, totalTokens: 0, costUsd: 0, unpricedRequests: 0, averageLatencyMs: null };
}

/**
 * `a + b`; the mean latency is weighted by requests.
 * @param {Totals} a
 * @param {Totals} b
 * @returns {Totals}
 */
export function addTotals(a, b) {
  const requests = a.requests + b.requests;
  const latency = (a.averageLatencyMs ?? 0) * a.requests + (b.averageLatencyMs ?? 0) * b.requests;
  return {
    requests,
    errors: a.errors + b.errors,
    inputTokens: a.inputTokens + b.inputTokens,
    cachedInputTokens: a.cachedInputTokens + b.cachedInputTokens,
    outputTokens: a.outputTokens + b.outputTokens,
    reasoningTokens: a.reasoningTokens + b.reasoningTokens,
    totalTokens: a.totalTokens + b.totalTokens,
    costUsd: a.costUsd + b.costUsd,
    unpricedRequests: a.unpricedRequests + b.unpricedRequests,
    averageLatencyMs: requests === 0 ? null : latency / requests,
  };
}

/**
 * Rows folded by one dimension of their group (`null` for requests that reached no account).
 * @param {readonly UsageRow[]} rows
 * @param {'keyId' | 'accountId' | 'model'} dimension
 * @returns {Map<string | null, Totals>}
 */
export function sumBy(rows, dimension) {
  /** @type {Map<string | null, Totals>} */
  const sums = new Map();
  for (const row of rows) {
    const id = row.group[dimension] ?? null;
    sums.set(id, addTotals(sums.get(id) ?? emptyTotals(), row.totals));
  }
  return sums;
}

/**
 * One request as totals (for the request log, which the rollups do not split by client).
 * @param {RequestRecord} record
 * @returns {Totals}
 */
export function requestTotals(record) {
  const usage = record.usage;
  return {
    requests: 1,
    errors: record.status >= 400 ? 1 : 0,
    inputTokens: usage?.inputTokens ?? 0,
    cachedInputTokens: usage?.cachedInputTokens ?? 0,
    outputTokens: usage?.outputTokens ?? 0,
    reasoningTokens: usage?.reasoningTokens ?? 0,
    totalTokens: usage?.totalTokens ?? 0,
    costUsd: record.costUsd ?? 0,
    unpricedRequests: record.costUsd === null ? 1 : 0,
    averageLatencyMs: record.latencyMs,
  };
}

/**
 * Request records folded by client family, most requests first.
 * @param {readonly RequestRecord[]} records
 * @returns {Array<{ family: string, totals: Totals }>}
 */
export function sumByClient(records) {
  /** @type {Map<string, Totals>} */
  const sums = new Map();
  for (const record of records) {
    const family = clientFamily(record.userAgent);
    sums.set(family, addTotals(sums.get(family) ?? emptyTotals(), requestTotals(record)));
  }
  return [...sums].map(([family, totals]) => ({ family, totals })).sort((a, b) => b.totals.requests - a.totals.requests || a.family.localeCompare(b.family));
}

/**
 * A time series with every bucket of `[from, to)` present (zeros where nothing happened).
 * @param {Iterable<{ at: number, totals: Totals }>} points
 * @param {number} from epoch ms, aligned to `stepMs`
 * @param {number} to epoch ms
 * @param {number} stepMs
 * @returns {Array<{ start: number, totals: Totals }>}
 */
export function bucketSeries(points, from, to, stepMs) {
  const count = Math.max(1, Math.ceil((to - from) / stepMs));
  const buckets = Array.from({ length: count }, (_, i) => ({ start: from + i * stepMs, totals: emptyTotals() }));
  for (const point of points) {
    const index = Math.floor((point.at - from) / stepMs);
    const bucket = buckets[index];
    if (bucket !== undefined) bucket.totals = addTotals(bucket.totals, point.totals);
  }
  return buckets;
}

/**
 * Usage rows as series points (rows of one bucket, different keys etc., land in the same bucket).
 * @param {readonly UsageRow[]} rows
 */
export function rowPoints(rows) {
  return rows.flatMap((row) => (row.group.bucketStart ? [{ at: Date.parse(row.group.bucketStart), totals: row.totals }] : []));
}

/**
 * Request records as series points.
 * @param {readonly RequestRecord[]} records
 */
export function requestPoints(records) {
  return records.map((record) => ({ at: Date.parse(record.startedAt), totals: requestTotals(record) }));
}
