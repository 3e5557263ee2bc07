import type { RoutingStrategy as StrategyName } from '../../config/schema.js';
import { LeastInflightStrategy } from './least-inflight.js';
import { PriorityStrategy } from './priority.js';
import { RoundRobinStrategy } from './round-robin.js';
import type { RoutingStrategy } from './routing-strategy.js';
import type { AccountSpec } from '../../runtime/snapshot.js';
import { capacityWeightedStrategy, WeightedStrategy } from './weighted.js';

/**
 * One long-lived instance of every strategy; the snapshot's `routing.strategy` picks one per
 * request, so a reload that switches strategy needs no rebuild and rotations survive reloads.
 */
export interface StrategySetOptions {
  /** Relative capacity of an account by its plan (ChatGPT Pro > Plus), for capacity_weighted. */
  planWeight?: (account: AccountSpec) => number;
}

export class StrategySet {
  private readonly byName: Record<StrategyName, RoutingStrategy>;

  constructor(options: StrategySetOptions = {}) {
    this.byName = {
      round_robin: new RoundRobinStrategy(),
      weighted: new WeightedStrategy(),
      least_inflight: new LeastInflightStrategy(),
      priority: new PriorityStrategy(),
      capacity_weighted: capacityWeightedStrategy(options.planWeight),
    };
  }

  get(name: StrategyName): RoutingStrategy {
    return this.byName[name];
  }
}
