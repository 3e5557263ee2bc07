import { costMicroUsd, resolvePrice } from '../../src/usage/pricing.js';
import { DAY_MS, HOUR_MS } from '../../src/usage/rollup.js';
import type { UsageGroupBy, UsageGroupRow, UsageTotals } from '../../src/usage/usage-query.js';
import type { Endpoint, UsageRecord } from '../../src/usage/usage-record.js';

/** 22:00 UTC: the data set runs past midnight, so hour and day series both have several buckets. */
export const T0 = Date.UTC(2026, 0, 14, 22, 0, 0);

const KEYS = ['alpha', 'beta', 'Alpha']; // 'Alpha' ≠ 'alpha': ids compare byte-wise on both dialects
const ACCOUNTS = ['acc-1', 'acc-2', null];
const MODELS = ['gpt-4o', 'gpt-5.3-codex', 'house-model']; // house-model has no price: cost null
const ENDPOINTS: Endpoint[] = ['chat.completions', 'responses', 'codex.responses'];

export function makeRecord(i: number, overrides: Partial<UsageRecord> = {}): UsageRecord {
  const model = MODELS[i % 3]!;
  const failed = i % 5 === 4 ? 429 : i % 7 === 6 ? 502 : 0;
  const usage = failed
    ? null
    : { inputTokens: 1_000 + i * 37, cachedInputTokens: (i * 11) % 500, outputTokens: 200 + i * 13, reasoningTokens: (i * 5) % 150 };
  return {
    requestId: `req-${String(i).padStart(5, '0')}`,
    // Odd milliseconds check that times survive with ms precision.
    startedAt: T0 + i * 7 * 60_000 + (i % 997) + 1,
    keyId: KEYS[i % 3]!,
    accountId: failed === 429 ? null : ACCOUNTS[Math.floor(i / 3) % 3]!,
    model,
    upstreamModel: model === 'house-model' ? 'gpt-4o-2024-11-20' : null,
    endpoint: ENDPOINTS[i % 3]!,
    stream: i % 2 === 0,
    status: failed || 200,
    errorCode: failed === 429 ? 'rate_limit_exceeded' : failed === 502 ? 'upstream_error' : null,
    attempts: failed === 429 ? 0 : 1 + (i % 2),
    usage,
    costMicroUsd: model === 'house-model' ? null : costMicroUsd(usage, resolvePrice([model])),
    latencyMs: 100 + i * 3,
    ttftMs: failed ? null : 20 + i,
    userAgent: i % 4 === 0 ? null : `OpenClaw/1.${i} ✓`,
    ...overrides,
  };
}

/** 60 requests over about seven hours across midnight, plus two sharing a start time (pagination ties). */
export function dataset(): UsageRecord[] {
  const records = Array.from({ length: 60 }, (_, i) => makeRecord(i));
  records.push(makeRecord(60, { requestId: 'req-tie-a', startedAt: T0 + 30 * 60_000 }));
  records.push(makeRecord(61, { requestId: 'req-tie-b', startedAt: T0 + 30 * 60_000 }));
  return records;
}

export interface Filter {
  keyId?: string;
  accountId?: string | null;
  model?: string;
}

export function matches(r: UsageRecord, f: Filter): boolean {
  return (
    (f.keyId === undefined || r.keyId === f.keyId) &&
    (f.accountId === undefined || r.accountId === f.accountId) &&
    (f.model === undefined || r.model === f.model)
  );
}

/** The totals computed the slow, obvious way: what both dialects must return. */
export function expectedTotals(records: UsageRecord[]): UsageTotals {
  const t: UsageTotals = {
    requests: 0, errors: 0, inputTokens: 0, cachedInputTokens: 0, outputTokens: 0, reasoningTokens: 0,
    costMicroUsd: 0, unpricedRequests: 0, latencyMsSum: 0,
  };
  for (const r of records) {
    t.requests += 1;
    if (r.status >= 400) t.errors += 1;
    t.inputTokens += r.usage?.inputTokens ?? 0;
    t.cachedInputTokens += r.usage?.cachedInputTokens ?? 0;
    t.outputTokens += r.usage?.outputTokens ?? 0;
    t.reasoningTokens += r.usage?.reasoningTokens ?? 0;
    if (r.costMicroUsd === null) t.unpricedRequests += 1;
    else t.costMicroUsd += r.costMicroUsd;
    t.latencyMsSum += r.latencyMs;
  }
  return t;
}

export function expectedGroups(records: UsageRecord[], groupBy: UsageGroupBy[]): UsageGroupRow[] {
  const groups = new Map<string, { group: UsageGroupRow['group']; records: UsageRecord[] }>();
  for (const r of records) {
    const group: UsageGroupRow['group'] = {};
    if (groupBy.includes('hour')) group.bucketStart = Math.floor(r.startedAt / HOUR_MS) * HOUR_MS;
    if (groupBy.includes('day')) group.bucketStart = Math.floor(r.startedAt / DAY_MS) * DAY_MS;
    if (groupBy.includes('key')) group.keyId = r.keyId;
    if (groupBy.includes('account')) group.accountId = r.accountId;
    if (groupBy.includes('model')) group.model = r.model;
    const id = JSON.stringify([group.bucketStart, group.keyId, group.accountId ?? '', group.model]);
    const entry = groups.get(id) ?? { group, records: [] };
    entry.records.push(r);
    groups.set(id, entry);
  }
  const byteOrder = (a = '', b = '') => (Buffer.compare(Buffer.from(a), Buffer.from(b)));
  return [...groups.values()]
    .sort(
      (a, b) =>
        (a.group.bucketStart ?? 0) - (b.group.bucketStart ?? 0) ||
        byteOrder(a.group.keyId, b.group.keyId) ||
        byteOrder(a.group.accountId ?? '', b.group.accountId ?? '') ||
        byteOrder(a.group.model, b.group.model),
    )
    .map(({ group, records: rs }) => ({ group, ...expectedTotals(rs) }));
}

/** Newest first, ties by insertion order reversed (the store's id order). */
export function newestFirst(records: UsageRecord[]): UsageRecord[] {
  return records
    .map((r, index) => ({ r, index }))
    .sort((a, b) => b.r.startedAt - a.r.startedAt || b.index - a.index)
    .map(({ r }) => r);
}
