import type { BudgetSpec, PolicySpec, Snapshot } from '../runtime/snapshot.js';

/**
 * Plain policy arithmetic: which policies apply, in which units they count, what a request is
 * charged. No I/O.
 */
export const BUDGET_DIMENSIONS = ['requests', 'tokens', 'inputTokens', 'outputTokens', 'costUsd'] as const;
export type BudgetDimension = (typeof BUDGET_DIMENSIONS)[number];

/** Dimensions charged when a request ends (requests are counted at admission). */
export const USAGE_DIMENSIONS = ['tokens', 'inputTokens', 'outputTokens', 'costUsd'] as const satisfies readonly BudgetDimension[];

/** What a finished request is charged with. */
export interface ChargeableUsage {
  readonly inputTokens: number;
  readonly outputTokens: number;
  /** Integer micro-USD; null when the price is unknown (nothing is charged to cost budgets). */
  readonly costMicroUsd: number | null;
}

/** Counter windows are whole seconds: Redis expires keys in seconds, and all stores must agree. */
export function windowSeconds(perMs: number): number {
  return Math.max(1, Math.ceil(perMs / 1000));
}

/** Cost is counted in integer micro-USD so that every store adds exact integers. */
export function microUsd(usd: number): number {
  return Math.round(usd * 1_000_000);
}

/** A budget's limit in counter units. */
export function limitUnits(dimension: BudgetDimension, budget: BudgetSpec): number {
  return dimension === 'costUsd' ? microUsd(budget.limit) : budget.limit;
}

/** The points a finished request adds to a budget of this dimension. */
export function chargeUnits(dimension: BudgetDimension, usage: ChargeableUsage): number {
  switch (dimension) {
    case 'requests':
      return 0;
    case 'tokens':
      return whole(usage.inputTokens) + whole(usage.outputTokens);
    case 'inputTokens':
      return whole(usage.inputTokens);
    case 'outputTokens':
      return whole(usage.outputTokens);
    case 'costUsd':
      return usage.costMicroUsd === null ? 0 : whole(usage.costMicroUsd);
  }
}

function whole(n: number): number {
  return Number.isFinite(n) && n > 0 ? Math.round(n) : 0;
}

/** The policies among `ids` that apply to `modelId` (a policy's `models:` scopes it). */
export function applicablePolicies(snapshot: Snapshot, ids: readonly string[], modelId: string): PolicySpec[] {
  const out: PolicySpec[] = [];
  for (const id of ids) {
    const policy = snapshot.policies.get(id);
    if (policy !== undefined && (policy.models === null || policy.models.has(modelId))) out.push(policy);
  }
  return out;
}

/** Human wording of a limit, for 429 messages: `60 requests per 1m`, `$5.00 per 1d`. */
export function describeAmount(dimension: BudgetDimension, units: number): string {
  switch (dimension) {
    case 'requests':
      return `${units} request${units === 1 ? '' : 's'}`;
    case 'tokens':
      return `${units} tokens`;
    case 'inputTokens':
      return `${units} input tokens`;
    case 'outputTokens':
      return `${units} output tokens`;
    case 'costUsd':
      return `$${(units / 1_000_000).toFixed(units % 10_000 === 0 ? 2 : 6)}`;
  }
}
