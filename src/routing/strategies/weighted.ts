import type { RoutingStrategy as StrategyName } from '../../config/schema.js';
import type { RoutingStrategy, StrategyCandidate } from './routing-strategy.js';

/**
 * Smooth weighted round robin (as in nginx): deterministic, spreads picks evenly within a cycle
 * (weights 3:1 give a a b a, not a a a b) and needs no randomness, so tests can assert exact
 * shares. The weight is a function so `capacity_weighted` can scale it by remaining capacity.
 */
export class WeightedStrategy implements RoutingStrategy {
  private readonly current = new Map<string, Map<string, number>>();

  constructor(
    readonly name: StrategyName = 'weighted',
    private readonly weightOf: (candidate: StrategyCandidate) => number = (c) => c.account.weight,
  ) {}

  order<C extends StrategyCandidate>(candidates: readonly C[], pool: string): C[] {
    if (candidates.length <= 1) return candidates.slice();
    let state = this.current.get(pool);
    if (state === undefined) {
      state = new Map();
      this.current.set(pool, state);
    }
    const weights = candidates.map((c) => Math.max(0, this.weightOf(c)));
    let total = 0;
    let best = -1;
    let bestValue = -Infinity;
    for (let i = 0; i < candidates.length; i++) {
      const id = candidates[i].account.id;
      const value = (state.get(id) ?? 0) + weights[i];
      state.set(id, value);
      total += weights[i];
      if (value > bestValue) {
        bestValue = value;
        best = i;
      }
    }
    if (total === 0) return candidates.slice();
    const chosen = candidates[best];
    state.set(chosen.account.id, bestValue - total);
    // Failover order after the chosen one: heavier accounts first, then file order.
    const rest = candidates
      .map((c, i) => ({ c, w: weights[i] }))
      .filter((entry) => entry.c !== chosen)
      .sort((a, b) => b.w - a.w || a.c.account.order - b.c.account.order)
      .map((entry) => entry.c);
    return [chosen, ...rest];
  }
}

/**
 * Weighted by `weight × remaining capacity`. Until capacity is known (ChatGPT quota headers,
 * issue 6) every candidate reports null and this is exactly `weighted`. A nearly exhausted
 * account keeps a small share so its recovery is noticed.
 */
export function capacityWeightedStrategy(): WeightedStrategy {
  return new WeightedStrategy('capacity_weighted', (c) => c.account.weight * (c.capacity === null ? 1 : Math.max(0.02, Math.min(1, c.capacity))));
}
