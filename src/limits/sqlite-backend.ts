import { mkdirSync } from 'node:fs';
import { basename, dirname, extname, join, resolve } from 'node:path';
import Database from 'better-sqlite3';
import { RateLimiterSQLite, type RateLimiterAbstract } from 'rate-limiter-flexible';
import type { Logger } from '../shared/logger.js';
import { InsuranceLimiter } from './insurance-limiter.js';
import { limiterCounter, UNBOUNDED_POINTS, type LimiterBackend } from './limiter-backend.js';
import { StoreHealth } from './store-health.js';
import type { WindowCounter } from './window-counter.js';

export interface SqliteBackendOptions {
  /** The usage store's SQLite path (`storage.url` without `sqlite:`), or `:memory:`. */
  storagePath: string;
  logger: Logger;
  tableName?: string;
}

/**
 * Counters in SQLite next to the usage store (`limits.store: sql` with a `sqlite:` storage URL),
 * so they survive a restart. They live in a sibling file (`codex-lb.sqlite` →
 * `codex-lb.limits.sqlite`), not in the usage database itself: better-sqlite3 is synchronous,
 * and the usage writer holds SQLite's write lock across awaits of its batch transaction, so a
 * counter update on the same file from this thread could only fail or block the event loop.
 */
export class SqliteLimiterBackend implements LimiterBackend {
  readonly kind = 'sqlite' as const;
  readonly description: string;
  readonly file: string;
  readonly tableName: string;
  private readonly db: Database.Database;
  private readonly health: StoreHealth;

  private constructor(options: SqliteBackendOptions) {
    this.file = limitsFileFor(options.storagePath);
    this.description = `sqlite:${this.file}`;
    this.tableName = options.tableName ?? 'codex_lb_limits';
    if (this.file !== ':memory:') mkdirSync(dirname(this.file), { recursive: true });
    this.db = new Database(this.file, { timeout: 1_000 });
    if (this.file !== ':memory:') this.db.pragma('journal_mode = WAL');
    this.db.pragma('synchronous = NORMAL');
    this.health = new StoreHealth(options.logger, this.description, async () => {
      this.db.prepare('SELECT 1').get();
    });
  }

  static async open(options: SqliteBackendOptions): Promise<SqliteLimiterBackend> {
    const backend = new SqliteLimiterBackend(options);
    await backend.createTable();
    return backend;
  }

  /** rate-limiter-flexible creates its table; this limiter also purges expired rows every 5 min. */
  private createTable(): Promise<void> {
    return new Promise((resolve, reject) => {
      new RateLimiterSQLite(
        {
          storeClient: this.db,
          storeType: 'better-sqlite3',
          tableName: this.tableName,
          keyPrefix: 'codex-lb',
          points: UNBOUNDED_POINTS,
          duration: 1,
        },
        (error?: Error) => (error === undefined || error === null ? resolve() : reject(error)),
      );
    });
  }

  counter(name: string, windowSec: number): WindowCounter {
    return limiterCounter(this.limiter(name, windowSec));
  }

  private limiter(name: string, windowSec: number): RateLimiterAbstract {
    return new RateLimiterSQLite({
      storeClient: this.db,
      storeType: 'better-sqlite3',
      tableName: this.tableName,
      tableCreated: true,
      clearExpiredByTimeout: false,
      keyPrefix: name,
      points: UNBOUNDED_POINTS,
      duration: windowSec,
      insuranceLimiter: new InsuranceLimiter(name, windowSec, () => this.health.down('a statement failed')),
    });
  }

  async close(): Promise<void> {
    this.health.close();
    if (this.db.open) this.db.close();
  }
}

/** `./data/codex-lb.sqlite` → `./data/codex-lb.limits.sqlite` (absolute). */
export function limitsFileFor(storagePath: string): string {
  if (storagePath === ':memory:') return storagePath;
  const full = resolve(storagePath);
  const ext = extname(full);
  const stem = basename(full, ext);
  return join(dirname(full), `${stem}.limits${ext === '' ? '.sqlite' : ext}`);
}
