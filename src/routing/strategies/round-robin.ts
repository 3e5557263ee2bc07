import { PoolCounter, rotate, type RoutingStrategy, type StrategyCandidate } from './routing-strategy.js';

/** Each request starts one account further along the list; failover continues around it. */
export class RoundRobinStrategy implements RoutingStrategy {
  readonly name = 'round_robin' as const;
  private readonly counter = new PoolCounter();

  order<C extends StrategyCandidate>(candidates: readonly C[], pool: string): C[] {
    if (candidates.length <= 1) return candidates.slice();
    return rotate(candidates, this.counter.next(pool));
  }
}
