import type { DataSource } from 'typeorm';
import type { Logger } from '../shared/logger.js';
import { systemClock, type Clock } from '../shared/clock.js';
import { REQUEST_LOG_TABLE } from './usage-tables.js';
import { sqlDialect } from './sql-dialect.js';
import type { StoreDialect } from './storage-url.js';

/** Rows deleted per statement: short transactions, so the recorder's writes never wait long behind a purge. */
const PURGE_CHUNK = 5_000;

/** Delete request-log rows that started before `before` (epoch ms). Rollups are kept. Returns the count. */
export async function purgeRequestLog(dataSource: DataSource, dialect: StoreDialect, before: number): Promise<number> {
  const sql = sqlDialect(dialect).deleteOlderThan(REQUEST_LOG_TABLE, 'started_at', PURGE_CHUNK);
  const runner = dataSource.createQueryRunner();
  try {
    let total = 0;
    for (;;) {
      const affected = (await runner.query(sql, [before], true)).affected ?? 0;
      total += affected;
      if (affected < PURGE_CHUNK) return total;
    }
  } finally {
    await runner.release();
  }
}

export interface RetentionOptions {
  dataSource: DataSource;
  dialect: StoreDialect;
  /** Keep request-log rows this long. */
  retentionMs: number;
  /** How often to purge; default: every hour (or retention/4 when that is shorter). */
  intervalMs?: number;
  logger: Logger;
  clock?: Clock;
}

export interface RetentionTask {
  /** Purge now; resolves with the rows deleted. Failures are logged and reported as 0. */
  runOnce(): Promise<number>;
  stop(): void;
}

/**
 * The background purge: first run shortly after start, then on an unref'd interval, so it never
 * keeps the process alive and a slow purge never overlaps the next one.
 */
export function startRetention(options: RetentionOptions): RetentionTask {
  const clock = options.clock ?? systemClock;
  const interval = options.intervalMs ?? Math.max(1_000, Math.min(3_600_000, Math.floor(options.retentionMs / 4)));
  let running: Promise<number> | null = null;
  let stopped = false;

  const runOnce = (): Promise<number> => {
    running ??= (async () => {
      try {
        const deleted = await purgeRequestLog(options.dataSource, options.dialect, clock.now() - options.retentionMs);
        if (deleted > 0) options.logger.info({ deleted, retentionMs: options.retentionMs }, 'purged old request-log rows');
        return deleted;
      } catch (error) {
        options.logger.warn({ err: error }, 'request-log retention purge failed; will retry');
        return 0;
      } finally {
        running = null;
      }
    })();
    return running;
  };

  const tick = () => {
    if (!stopped && options.dataSource.isInitialized) void runOnce();
  };
  const first = setTimeout(tick, Math.min(interval, 10_000));
  const timer = setInterval(tick, interval);
  first.unref();
  timer.unref();
  return {
    runOnce,
    stop: () => {
      stopped = true;
      clearTimeout(first);
      clearInterval(timer);
    },
  };
}
