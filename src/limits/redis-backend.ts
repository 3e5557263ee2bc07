import { Redis } from 'ioredis';
import { RateLimiterRedis, type RateLimiterAbstract } from 'rate-limiter-flexible';
import type { Logger } from '../shared/logger.js';
import { InsuranceLimiter } from './insurance-limiter.js';
import { limiterCounter, UNBOUNDED_POINTS, type LimiterBackend } from './limiter-backend.js';
import { StoreHealth } from './store-health.js';
import type { WindowCounter } from './window-counter.js';

export interface RedisBackendOptions {
  url: string;
  logger: Logger;
  /** Prefix of every key, so several gateways (or test runs) can share one Redis. */
  namespace?: string;
}

/**
 * Counters in Redis, shared by every gateway instance using the same URL and namespace. While
 * Redis is unreachable each instance counts in its own memory (rate-limiter-flexible's
 * insurance limiter) so requests keep flowing; counts made meanwhile stay local. Commands never
 * queue for a connection that is down: they fail at once and go to the insurance.
 */
export class RedisLimiterBackend implements LimiterBackend {
  readonly kind = 'redis' as const;
  readonly description: string;
  private readonly client: Redis;
  private readonly health: StoreHealth;
  private readonly namespace: string;
  private closing = false;

  constructor(options: RedisBackendOptions) {
    this.description = describeRedisUrl(options.url);
    this.namespace = options.namespace ?? 'codex-lb';
    this.health = new StoreHealth(options.logger, this.description);
    this.client = new Redis(options.url, {
      enableOfflineQueue: false,
      maxRetriesPerRequest: 1,
      connectTimeout: 2_000,
      // A stalled Redis must not stall requests: the insurance answers instead.
      commandTimeout: 1_000,
      retryStrategy: (attempt) => Math.min(attempt * 200, 2_000),
    });
    this.client.on('ready', () => this.health.up());
    this.client.on('error', (error: Error) => this.health.down(error.message || error.name));
    this.client.on('close', () => {
      if (!this.closing) this.health.down('connection closed');
    });
  }

  counter(name: string, windowSec: number): WindowCounter {
    return limiterCounter(this.limiter(name, windowSec));
  }

  private limiter(name: string, windowSec: number): RateLimiterAbstract {
    return new RateLimiterRedis({
      storeClient: this.client,
      keyPrefix: `${this.namespace}:${name}`,
      points: UNBOUNDED_POINTS,
      duration: windowSec,
      rejectIfRedisNotReady: true,
      insuranceLimiter: new InsuranceLimiter(name, windowSec, () => this.insuranceUsed()),
    });
  }

  /** Resolves once connected; rejects after `timeoutMs` (tests use it to fail loudly). */
  async ready(timeoutMs = 5_000): Promise<void> {
    if (this.client.status === 'ready') return;
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.client.off('ready', onReady);
        reject(new Error(`rate-limit store ${this.description} is not reachable within ${timeoutMs}ms`));
      }, timeoutMs);
      const onReady = () => {
        clearTimeout(timer);
        resolve();
      };
      this.client.once('ready', onReady);
    });
  }

  async close(): Promise<void> {
    this.closing = true;
    this.health.close();
    if (this.client.status === 'ready') await this.client.quit().catch(() => undefined);
    this.client.disconnect();
  }

  private insuranceUsed(): void {
    // Before the first connection the client's own error events say whether Redis is down.
    if (this.health.isUp && this.client.status !== 'ready') this.health.down(`connection ${this.client.status}`);
  }
}

/** The URL without its password, for logs. */
export function describeRedisUrl(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.password !== '') parsed.password = '***';
    return parsed.toString().replace(/\/$/, '');
  } catch {
    return 'redis (invalid url)';
  }
}
