import { resolve } from 'node:path';
import { DataSource } from 'typeorm';
import { ALL_MIGRATIONS } from '../../migrations/all-migrations.js';
import { STORE_ENTITIES } from './entities/store-entities.js';
import { parseStorageUrl, type StoreDialect } from './storage-url.js';

export interface StoreDataSource {
  dataSource: DataSource;
  dialect: StoreDialect;
}

export const MIGRATIONS_TABLE = 'codex_lb_migrations';

/**
 * A TypeORM DataSource for `storage.url`, not yet initialized. Never `synchronize`: the schema
 * only changes through migrations.
 */
export function createDataSource(storageUrl: string): StoreDataSource {
  const location = parseStorageUrl(storageUrl);
  const common = {
    entities: STORE_ENTITIES,
    migrations: ALL_MIGRATIONS,
    migrationsTableName: MIGRATIONS_TABLE,
    synchronize: false,
    migrationsRun: false,
    logging: false,
  } as const;

  if (location.dialect === 'sqlite') {
    const memory = location.path === ':memory:';
    const file = memory ? location.path : resolve(location.path);
    return {
      dialect: 'sqlite',
      dataSource: new DataSource({
        ...common,
        type: 'better-sqlite3',
        database: file,
        // WAL + synchronous=NORMAL: commits append to the log without an fsync each; a power
        // cut can lose the last transactions but never corrupts the file. Readers don't block
        // the writer. busy timeout: another process (`codex-lb migrate`) may hold the lock.
        enableWAL: !memory,
        timeout: 5_000,
        // (The driver creates the file's directory itself.)
        prepareDatabase: (db: { pragma(source: string): unknown }) => {
          db.pragma('synchronous = NORMAL');
          db.pragma('foreign_keys = ON');
        },
      }),
    };
  }

  return {
    dialect: 'mariadb',
    dataSource: new DataSource({
      ...common,
      // 'mariadb', not 'mysql', against MariaDB (STACK.md); it speaks to MySQL as well.
      type: 'mariadb',
      host: location.host,
      port: location.port,
      username: location.username,
      password: location.password,
      database: location.database,
      timezone: 'Z',
      charset: 'utf8mb4',
      connectTimeout: 5_000,
      poolSize: 10,
    }),
  };
}
