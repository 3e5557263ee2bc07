import { createPool, type Pool } from 'mysql2';
import { RateLimiterMySQL, RLWrapperTimeouts, type RateLimiterAbstract } from 'rate-limiter-flexible';
import type { Logger } from '../shared/logger.js';
import type { MariadbLocation } from '../store/storage-url.js';
import { InsuranceLimiter } from './insurance-limiter.js';
import { limiterCounter, UNBOUNDED_POINTS, type LimiterBackend } from './limiter-backend.js';
import { StoreHealth } from './store-health.js';
import type { WindowCounter } from './window-counter.js';

export interface MysqlBackendOptions {
  location: MariadbLocation;
  description: string;
  logger: Logger;
  /** One table holds every counter (limiters differ by key prefix). */
  tableName?: string;
}

/** A store that hangs must not hang requests: past this the insurance answers. */
const STORE_TIMEOUT_MS = 2_000;

/**
 * Counters in the usage store's MySQL/MariaDB database (`limits.store: sql`), shared by every
 * instance on it. rate-limiter-flexible creates its table itself; one limiter of the backend
 * owns that and the hourly purge of expired rows, the others only count. While the database is
 * unreachable counting falls back to this instance's memory, and a probe notices the recovery.
 */
export class MysqlLimiterBackend implements LimiterBackend {
  readonly kind = 'mysql' as const;
  readonly description: string;
  readonly tableName: string;
  private readonly pool: Pool;
  private readonly health: StoreHealth;
  private owner: RateLimiterMySQL | null = null;

  private constructor(private readonly options: MysqlBackendOptions) {
    this.description = options.description;
    this.tableName = options.tableName ?? 'codex_lb_limits';
    const { host, port, username, password, database } = options.location;
    // A callback pool: rate-limiter-flexible drives mysql2 through callbacks (STACK.md).
    this.pool = createPool({ host, port, user: username, password, database, connectionLimit: 10, connectTimeout: STORE_TIMEOUT_MS, enableKeepAlive: true });
    this.health = new StoreHealth(options.logger, this.description, () => this.createTable());
  }

  /** Connects and creates the table; if the database is down, starts anyway on the insurance. */
  static async open(options: MysqlBackendOptions): Promise<MysqlLimiterBackend> {
    const backend = new MysqlLimiterBackend(options);
    await backend.createTable().then(
      () => backend.health.up(),
      (error: unknown) => backend.health.down(error instanceof Error ? error.message : String(error)),
    );
    return backend;
  }

  counter(name: string, windowSec: number): WindowCounter {
    return limiterCounter(this.limiter(name, windowSec));
  }

  private limiter(name: string, windowSec: number): RateLimiterAbstract {
    const store = new RateLimiterMySQL({
      storeClient: this.pool,
      storeType: 'pool',
      dbName: this.options.location.database,
      tableName: this.tableName,
      tableCreated: true,
      clearExpiredByTimeout: false,
      keyPrefix: name,
      points: UNBOUNDED_POINTS,
      duration: windowSec,
    });
    return new RLWrapperTimeouts({
      limiter: store,
      timeoutMs: STORE_TIMEOUT_MS,
      insuranceLimiter: new InsuranceLimiter(name, windowSec, () => this.health.down('a query failed')),
    });
  }

  /** rate-limiter-flexible's own CREATE TABLE IF NOT EXISTS (idempotent: also the outage probe). */
  createTable(): Promise<void> {
    return new Promise((resolve, reject) => {
      const owner = new RateLimiterMySQL(
        {
          storeClient: this.pool,
          storeType: 'pool',
          dbName: this.options.location.database,
          tableName: this.tableName,
          // Purges rows expired over an hour ago every 5 minutes, for the whole table.
          clearExpiredByTimeout: this.owner === null,
          keyPrefix: 'codex-lb',
          points: UNBOUNDED_POINTS,
          duration: 1,
        },
        (error?: Error) => {
          if (error !== undefined && error !== null) return reject(error);
          this.owner ??= owner;
          resolve();
        },
      );
    });
  }

  async close(): Promise<void> {
    this.health.close();
    await new Promise<void>((resolve) => this.pool.end(() => resolve()));
  }
}
