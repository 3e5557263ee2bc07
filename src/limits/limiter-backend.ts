import type { RateLimiterAbstract } from 'rate-limiter-flexible';
import { LimiterWindowCounter, type WindowCounter } from './window-counter.js';

/** Where rate-limit counters live: this process, Redis, or the usage store's SQL database. */
export type LimiterBackendKind = 'memory' | 'redis' | 'mysql' | 'sqlite';

/**
 * A factory of window counters on one store: rate-limiter-flexible limiters for the shared
 * stores, its in-process store for memory. The policy engine never asks a limiter to decide (it
 * compares consumed points with the limit of the current snapshot itself), so every limiter is
 * created with `UNBOUNDED_POINTS` and a limit edited in gateway.yaml applies to the counts
 * already in the window.
 */
export interface LimiterBackend {
  readonly kind: LimiterBackendKind;
  /** For logs: the store without credentials. */
  readonly description: string;
  /**
   * A counter of points per key in fixed windows of `windowSec` whole seconds (Redis expires
   * keys in seconds). `name` separates the counters of each policy and dimension.
   */
  counter(name: string, windowSec: number): WindowCounter;
  close(): Promise<void>;
}

/** Large enough never to be reached, small enough to be exact in a double. */
export const UNBOUNDED_POINTS = Number.MAX_SAFE_INTEGER;

/** The counter of a shared store's rate-limiter-flexible limiter. */
export function limiterCounter(limiter: RateLimiterAbstract): WindowCounter {
  return new LimiterWindowCounter(limiter);
}
