import type { DataSource } from 'typeorm';

export type SqlValue = string | number | boolean | null;

/** Runs one statement inside a transaction; rows for a SELECT, an empty list otherwise. */
export type SqlQuery = (sql: string, params: readonly SqlValue[]) => Promise<Record<string, unknown>[]>;

/**
 * Where the usage writer's transactions run: TypeORM's pool on the main thread (MariaDB, and
 * SQLite in memory), or one better-sqlite3 connection on the writer's own thread (a SQLite file:
 * sqlite-usage-worker.ts). `work` either commits whole or is rolled back.
 */
export interface SqlSession {
  transaction<T>(work: (query: SqlQuery) => Promise<T>): Promise<T>;
}

export function typeormSession(dataSource: DataSource): SqlSession {
  return {
    transaction: (work) => dataSource.transaction((manager) => work((sql, params) => manager.query(sql, [...params]))),
  };
}
