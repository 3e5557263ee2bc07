import { RateLimiterMemory, type RateLimiterAbstract } from 'rate-limiter-flexible';
import type { LimiterBackend } from './limiter-backend.js';
import { UNBOUNDED_POINTS } from './limiter-backend.js';

/** Counters in this process: the default, and the insurance of the shared backends. */
export class MemoryLimiterBackend implements LimiterBackend {
  readonly kind = 'memory' as const;
  readonly description = 'memory';

  limiter(name: string, windowSec: number): RateLimiterAbstract {
    return memoryLimiter(name, windowSec);
  }

  async close(): Promise<void> {}
}

export function memoryLimiter(name: string, windowSec: number): RateLimiterMemory {
  return new RateLimiterMemory({ keyPrefix: name, points: UNBOUNDED_POINTS, duration: windowSec });
}
