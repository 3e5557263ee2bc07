import { emptyTotals, type TimeRange, type UsageFilter, type UsageGroupBy, type UsageGroupKey, type UsageTotals } from '../usage/usage-query.js';
import { badInput } from './errors.js';
import { usagePort, type Scope } from './scope.js';
import { resolveRange, type TimeRangeArg } from './time-range.js';

/** The SDL's `UsageFilter` input. */
export interface UsageFilterArg {
  keyId?: string | null;
  accountId?: string | null;
  withoutAccount?: boolean | null;
  model?: string | null;
}

export interface UsageArgs {
  range?: TimeRangeArg | null;
  groupBy?: readonly UsageGroupBy[] | null;
  filter?: UsageFilterArg | null;
}

export interface UsageReportView {
  range: TimeRange;
  groupBy: UsageGroupBy[];
  totals: UsageTotals;
  rows: Array<{ group: UsageGroupKey; totals: UsageTotals }>;
  at: number;
}

export function usageFilter(arg: UsageFilterArg | null | undefined): UsageFilter {
  const filter: UsageFilter = {};
  if (arg?.keyId) filter.keyId = arg.keyId;
  if (arg?.withoutAccount) filter.accountId = null;
  else if (arg?.accountId) filter.accountId = arg.accountId;
  if (arg?.model) filter.model = arg.model;
  return filter;
}

/** One report from one grouped query: the totals are the sum of the rows, so they always agree. */
export async function usageReport(scope: Scope, args: UsageArgs): Promise<UsageReportView> {
  const groupBy = [...new Set(args.groupBy ?? [])];
  if (groupBy.includes('hour') && groupBy.includes('day')) throw badInput('group by HOUR or by DAY, not both', 'groupBy');
  const range = resolveRange(args.range, scope.now);
  const grouped = await usagePort(scope).query.grouped(range, groupBy, usageFilter(args.filter));
  const rows = grouped.map(({ group, ...totals }) => ({ group, totals }));
  return { range, groupBy, totals: sumTotals(rows.map((row) => row.totals)), rows, at: scope.now };
}

export function sumTotals(list: readonly UsageTotals[]): UsageTotals {
  const sum = emptyTotals();
  for (const totals of list) for (const field of Object.keys(sum) as Array<keyof UsageTotals>) sum[field] += totals[field];
  return sum;
}
