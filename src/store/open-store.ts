import 'reflect-metadata';
import type { DataSource } from 'typeorm';
import type { Logger } from '../shared/logger.js';
import type { UsageQuery } from '../usage/usage-query.js';
import type { UsageWriter } from '../usage/usage-writer.js';
import { SqlAccountStateStore, type AccountStateStore } from './account-state-repository.js';
import { SqlConfigRevisionStore, type ConfigRevisionStore } from './config-revision-repository.js';
import { createDataSource } from './data-source.js';
import { migrate } from './migrate.js';
import { startRetention, type RetentionTask } from './retention.js';
import { SqlUsageQuery } from './sql-usage-query.js';
import { typeormSession } from './sql-session.js';
import { SqlUsageWriter } from './sql-usage-writer.js';
import { SqliteUsageThread } from './sqlite-usage-thread.js';
import { describeStorageUrl, type StoreDialect } from './storage-url.js';

export interface OpenStoreOptions {
  /** Purge request-log rows older than this many ms in the background (`storage.retention`); omitted = keep. */
  retentionMs?: number;
  /** Run pending migrations first (default true; `false` for read-only tools that must not change the schema). */
  migrate?: boolean;
  /** SQLite: how long a usage write waits for a database another connection holds locked (default 5 s). */
  sqliteBusyTimeoutMs?: number;
}

export interface UsageStore {
  dataSource: DataSource;
  dialect: StoreDialect;
  writer: UsageWriter;
  query: UsageQuery;
  accountState: AccountStateStore;
  configRevisions: ConfigRevisionStore;
  /** Present when a retention was given. */
  retention: RetentionTask | null;
  /** True when a trivial query answers within `timeoutMs` (for `/ready`). */
  ping(timeoutMs: number): Promise<boolean>;
  /** Stops the retention timer and closes the pool. Close the recorder first: it writes through `writer`. */
  close(): Promise<void>;
}

/**
 * The usage store in one call, for the composition root:
 *
 *   const store = await openUsageStore(config.storage.url, logger, {
 *     retentionMs: config.storage.retention ? durationMs(config.storage.retention) : undefined,
 *   });
 *   const recorder = createUsageRecorder(store.writer, config.storage, logger); // src/usage/recorder-from-config.ts
 *   // …serve; on SIGTERM, after the HTTP server stopped:
 *   await recorder.close();
 *   await store.close();
 *
 * Connects, migrates to the latest schema and starts the retention purge. Throws when the
 * store is unreachable at startup or a migration fails (the gateway should not start against a
 * schema it does not know); once running, outages are absorbed by the recorder.
 */
export async function openUsageStore(storageUrl: string, logger: Logger, options: OpenStoreOptions = {}): Promise<UsageStore> {
  const { dataSource, dialect, sqliteFile } = createDataSource(storageUrl);
  await dataSource.initialize();
  try {
    if (options.migrate !== false) {
      const applied = await migrate(dataSource);
      if (applied.length > 0) logger.info({ store: describeStorageUrl(storageUrl), applied }, 'usage store migrated');
    }
  } catch (error) {
    await dataSource.destroy();
    throw error;
  }
  const retention =
    options.retentionMs !== undefined
      ? startRetention({ dataSource, dialect, retentionMs: options.retentionMs, logger })
      : null;
  // A SQLite file is written from a thread of its own (sqlite-usage-thread.ts); an in-memory
  // database exists only on its one connection, and MariaDB's driver already works off-thread.
  const threaded = sqliteFile === null ? null : new SqliteUsageThread(sqliteFile, options.sqliteBusyTimeoutMs);
  return {
    dataSource,
    dialect,
    writer: threaded ?? new SqlUsageWriter(typeormSession(dataSource), dialect),
    query: new SqlUsageQuery(dataSource),
    accountState: new SqlAccountStateStore(dataSource),
    configRevisions: new SqlConfigRevisionStore(dataSource),
    retention,
    ping: (timeoutMs) => pingStore(dataSource, timeoutMs),
    close: async () => {
      retention?.stop();
      await threaded?.close();
      if (dataSource.isInitialized) await dataSource.destroy();
    },
  };
}

async function pingStore(dataSource: DataSource, timeoutMs: number): Promise<boolean> {
  if (!dataSource.isInitialized) return false;
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<boolean>((resolve) => (timer = setTimeout(() => resolve(false), timeoutMs)));
  const query = dataSource.query('SELECT 1').then(
    () => true,
    () => false,
  );
  try {
    return await Promise.race([query, timeout]);
  } finally {
    clearTimeout(timer);
  }
}
