import type { RoutingStrategy, StrategyCandidate } from './routing-strategy.js';

/**
 * Fill the first account before the next: lowest `priority` first, then file order. The others
 * only see traffic when the ones before them cannot serve (cooling down, at a limit, failing).
 */
export class PriorityStrategy implements RoutingStrategy {
  readonly name = 'priority' as const;

  order<C extends StrategyCandidate>(candidates: readonly C[]): C[] {
    return candidates.slice().sort((a, b) => a.account.priority - b.account.priority || a.account.order - b.account.order);
  }
}
