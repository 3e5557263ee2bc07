import type { BudgetSpec, PolicySpec } from '../runtime/snapshot.js';
import type { LimiterBackend } from './limiter-backend.js';
import { BUDGET_DIMENSIONS, limitUnits, windowSeconds, type BudgetDimension } from './policy-math.js';
import type { WindowCounter } from './window-counter.js';

/** One budget of a policy with its counter: what an admission reads or adds to. */
export interface BudgetProbe {
  readonly policy: PolicySpec;
  readonly dimension: BudgetDimension;
  /** In counter units (micro-USD for cost). */
  readonly limit: number;
  /** `limit` as a header value (a large limit is a double, slow to print on every request). */
  readonly limitText: string;
  readonly counter: WindowCounter;
}

/**
 * The counters of every policy dimension, created on first use and kept across reloads. They
 * are keyed by the policy's fingerprint (id, windows, models — not limits), so an unchanged
 * policy keeps its counts and a changed `limit` applies to the counts of the running window,
 * while a changed window or model scope starts afresh.
 */
export class LimiterPool {
  private readonly counters = new Map<string, WindowCounter>();
  // Per policy object (one per snapshot): the hot path finds its budgets without building names.
  private readonly probeCache = new WeakMap<PolicySpec, readonly BudgetProbe[]>();

  constructor(private readonly backend: LimiterBackend) {}

  /** Every budget the policy sets, in BUDGET_DIMENSIONS order, with its counter. */
  probes(policy: PolicySpec): readonly BudgetProbe[] {
    let probes = this.probeCache.get(policy);
    if (probes === undefined) {
      const list: BudgetProbe[] = [];
      for (const dimension of BUDGET_DIMENSIONS) {
        const budget = policy[dimension];
        if (budget === undefined) continue;
        const limit = limitUnits(dimension, budget);
        list.push({ policy, dimension, limit, limitText: String(limit), counter: this.counter(policy, dimension, budget) });
      }
      probes = list;
      this.probeCache.set(policy, probes);
    }
    return probes;
  }

  private counter(policy: PolicySpec, dimension: BudgetDimension, budget: BudgetSpec): WindowCounter {
    const name = `${policy.fingerprint}:${dimension}`;
    let counter = this.counters.get(name);
    if (counter === undefined) {
      counter = this.backend.counter(name, windowSeconds(budget.perMs));
      this.counters.set(name, counter);
    }
    return counter;
  }

  /**
   * Drops counters of policies no longer configured (after a reload). Requests in flight keep
   * the counters they hold; a shared store keeps its keys until their windows expire.
   */
  retain(fingerprints: ReadonlySet<string>): void {
    for (const name of this.counters.keys()) {
      if (!fingerprints.has(name.slice(0, name.indexOf(':')))) this.counters.delete(name);
    }
  }

  get size(): number {
    return this.counters.size;
  }
}
