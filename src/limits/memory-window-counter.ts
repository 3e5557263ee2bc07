import MemoryStorage from 'rate-limiter-flexible/lib/component/MemoryStorage/index.js';
import { EMPTY_COUNTER, stateOf, type CounterState, type WindowCounter } from './window-counter.js';

/**
 * A counter in this process, in the store rate-limiter-flexible's RateLimiterMemory counts in
 * (same windows, same expiry timers), called directly: RateLimiterMemory wraps each operation
 * in a promise, and the hot path makes five of them per limited request. Synchronous, so an
 * admission against in-memory policies costs no turn of the microtask queue.
 */
export class MemoryWindowCounter implements WindowCounter {
  private readonly storage = new MemoryStorage();

  constructor(private readonly windowSec: number) {}

  add(key: string, points: number): CounterState {
    return stateOf(this.storage.incrby(key, points, this.windowSec));
  }

  peek(key: string): CounterState {
    const res = this.storage.get(key);
    // A window that ended is empty, even before its timer has removed it.
    return res === null || res.msBeforeNext <= 0 ? EMPTY_COUNTER : stateOf(res);
  }

  subtract(key: string, points: number): void {
    this.storage.incrby(key, -points, this.windowSec);
  }
}
