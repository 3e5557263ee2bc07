import type { RoutingStrategy as StrategyName } from '../../config/schema.js';
import type { AccountSpec } from '../../runtime/snapshot.js';

/** One account a strategy may choose, with the runtime facts strategies look at. */
export interface StrategyCandidate {
  readonly account: AccountSpec;
  /** Requests in flight on the account right now. */
  readonly inflight: number;
  /**
   * Remaining capacity as a fraction 0..1 (e.g. ChatGPT quota left in the current window), or
   * null when unknown. Only `capacity_weighted` reads it.
   */
  readonly capacity: number | null;
}

/**
 * A strategy ORDERS the available candidates: the first is the account to use, the rest are the
 * failover order. `pool` names the candidate set (the model id) so stateful strategies keep a
 * separate rotation per model. Implementations must not mutate the input.
 */
export interface RoutingStrategy {
  readonly name: StrategyName;
  order<C extends StrategyCandidate>(candidates: readonly C[], pool: string): C[];
}

/** The candidates rotated left by `start` (a fresh array). */
export function rotate<C>(items: readonly C[], start: number): C[] {
  const n = items.length;
  if (n === 0) return [];
  const offset = ((start % n) + n) % n;
  return offset === 0 ? items.slice() : items.slice(offset).concat(items.slice(0, offset));
}

/** A per-pool counter that advances on each call; wraps well before precision is lost. */
export class PoolCounter {
  private readonly counters = new Map<string, number>();

  next(pool: string): number {
    const value = this.counters.get(pool) ?? 0;
    this.counters.set(pool, (value + 1) % 1_000_000_007);
    return value;
  }
}
