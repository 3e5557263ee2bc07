import type { Snapshot } from '../runtime/snapshot.js';
import type { TimeRange, UsageDimension, UsageTotals } from '../usage/usage-query.js';
import { serviceUnavailable } from './errors.js';
import type { AdminDeps, UsagePort } from './ports.js';

/**
 * What one operation (a query, a mutation, or one event of a subscription) sees: the snapshot
 * read once, one "now", and a memo so that e.g. `accounts { usage }` costs one grouped query
 * instead of one per account. Every node handed to a resolver carries its scope, so nested
 * fields never read the holder again and the answer is consistent.
 */
export interface Scope {
  readonly snapshot: Snapshot;
  readonly now: number;
  readonly deps: AdminDeps;
  readonly memo: Map<string, Promise<unknown>>;
}

export function newScope(deps: AdminDeps): Scope {
  return { snapshot: deps.holder.current(), now: (deps.now ?? Date.now)(), deps, memo: new Map() };
}

export function memoize<T>(scope: Scope, key: string, load: () => Promise<T>): Promise<T> {
  let value = scope.memo.get(key) as Promise<T> | undefined;
  if (value === undefined) {
    value = load();
    scope.memo.set(key, value);
  }
  return value;
}

export function usagePort(scope: Scope): UsagePort {
  const usage = scope.deps.usage;
  if (usage === undefined) throw serviceUnavailable('usage is not available: no usage store is connected');
  return usage;
}

/** Totals of one id along one dimension, from a single grouped query shared by the operation. */
export async function totalsFor(scope: Scope, dimension: UsageDimension, id: string, range: TimeRange): Promise<UsageTotals | null> {
  const port = usagePort(scope);
  const rows = await memoize(scope, `grouped:${dimension}:${range.from}:${range.to}`, async () => {
    const byId = new Map<string, UsageTotals>();
    for (const row of await port.query.grouped(range, [dimension])) {
      const key = dimension === 'key' ? row.group.keyId : dimension === 'model' ? row.group.model : row.group.accountId;
      if (key !== undefined && key !== null) byId.set(key, row);
    }
    return byId;
  });
  return rows.get(id) ?? null;
}
