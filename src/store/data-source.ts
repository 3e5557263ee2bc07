import { resolve } from 'node:path';
import { DataSource } from 'typeorm';
import { ALL_MIGRATIONS } from '../../migrations/all-migrations.js';
import { STORE_ENTITIES } from './entities/store-entities.js';
import { applySqlitePragmas } from './sqlite-pragmas.js';
import { parseStorageUrl, type StoreDialect } from './storage-url.js';

export interface StoreDataSource {
  dataSource: DataSource;
  dialect: StoreDialect;
  /** The SQLite database file, resolved; null for MariaDB and an in-memory SQLite database. */
  sqliteFile: string | null;
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
      sqliteFile: memory ? null : file,
      dataSource: new DataSource({
        ...common,
        type: 'better-sqlite3',
        database: file,
        // WAL with the pragmas of sqlite-pragmas.ts (why: there). busy timeout: another
        // process (`codex-lb migrate`) or the usage writer's thread may hold the lock.
        enableWAL: !memory,
        timeout: 5_000,
        // (The driver creates the file's directory itself.)
        prepareDatabase: applySqlitePragmas,
      }),
    };
  }

  return {
    dialect: 'mariadb',
    sqliteFile: null,
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
