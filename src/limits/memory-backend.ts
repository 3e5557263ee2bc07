import type { LimiterBackend } from './limiter-backend.js';
import { MemoryWindowCounter } from './memory-window-counter.js';

/** Counters in this process: the default. */
export class MemoryLimiterBackend implements LimiterBackend {
  readonly kind = 'memory' as const;
  readonly description = 'memory';

  counter(_name: string, windowSec: number): MemoryWindowCounter {
    // Each counter has its own store, so the name need not prefix its keys.
    return new MemoryWindowCounter(windowSec);
  }

  async close(): Promise<void> {}
}
