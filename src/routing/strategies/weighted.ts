import type { RoutingStrategy as StrategyName } from '../../config/schema.js';
import type { AccountSpec } from '../../runtime/snapshot.js';
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

/** Below this remaining fraction an account is drained: no new traffic while others have room. */
export const DRAIN_BELOW = 0.05;

/**
 * Weighted by `weight × plan capacity × remaining capacity` (ChatGPT quota: a Pro seat at half its
 * quota still has more room than a fresh Plus seat). Accounts nearly at their limit are drained:
 * they only come after every account with room, most remaining first, so their last requests
 * are not spent while capacity exists elsewhere. Unknown capacity counts as full, so a pool
 * without quota data behaves exactly like `weighted`.
 */
export function capacityWeightedStrategy(planWeight: (account: AccountSpec) => number = () => 1): RoutingStrategy {
  const weighted = new WeightedStrategy('capacity_weighted', (c) => c.account.weight * planWeight(c.account) * (c.capacity === null ? 1 : Math.max(0, Math.min(1, c.capacity))));
  return {
    name: 'capacity_weighted',
    order<C extends StrategyCandidate>(candidates: readonly C[], pool: string): C[] {
      const roomy = candidates.filter((c) => c.capacity === null || c.capacity >= DRAIN_BELOW);
      const draining = candidates.filter((c) => c.capacity !== null && c.capacity < DRAIN_BELOW).sort((a, b) => (b.capacity ?? 0) - (a.capacity ?? 0));
      return roomy.length === 0 ? draining : [...weighted.order(roomy, pool), ...draining];
    },
  };
}
