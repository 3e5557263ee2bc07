import { PoolCounter, rotate, type RoutingStrategy, type StrategyCandidate } from './routing-strategy.js';

/**
 * The account with the fewest requests in flight first. Ties rotate, so sequential traffic (where
 * every account has 0 in flight) still spreads instead of always landing on the first account.
 */
export class LeastInflightStrategy implements RoutingStrategy {
  readonly name = 'least_inflight' as const;
  private readonly counter = new PoolCounter();

  order<C extends StrategyCandidate>(candidates: readonly C[], pool: string): C[] {
    if (candidates.length <= 1) return candidates.slice();
    // Array.prototype.sort is stable, so the rotation decides among equals.
    return rotate(candidates, this.counter.next(pool)).sort((a, b) => a.inflight - b.inflight);
  }
}
