import type { DataSource } from 'typeorm';
import type { Logger } from '../shared/logger.js';
import { createDataSource } from './data-source.js';
import { describeStorageUrl } from './storage-url.js';

/**
 * Bring an initialized data source to the latest schema. Each migration runs in its own
 * transaction; already-applied ones are skipped, so running this again is a no-op.
 * Returns the names of the migrations applied now.
 */
export async function migrate(dataSource: DataSource): Promise<string[]> {
  const applied = await dataSource.runMigrations({ transaction: 'each' });
  return applied.map((migration) => migration.name);
}

/**
 * `codex-lb migrate`: connect, migrate, disconnect. Throws when the store is unreachable or a
 * migration fails (the CLI exits non-zero with the message).
 */
export async function runMigrations(storageUrl: string, logger: Logger): Promise<string[]> {
  const { dataSource } = createDataSource(storageUrl);
  await dataSource.initialize();
  try {
    const applied = await migrate(dataSource);
    logger.info({ store: describeStorageUrl(storageUrl), applied }, applied.length ? 'usage store migrated' : 'usage store schema is up to date');
    return applied;
  } finally {
    await dataSource.destroy();
  }
}
