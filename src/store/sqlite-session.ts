import type { Database, Statement } from 'better-sqlite3';
import type { SqlSession, SqlValue } from './sql-session.js';

/**
 * A SqlSession on one better-sqlite3 connection, for the usage writer's thread. Statements are
 * prepared once per text (the writer's texts are few: sql-dialect.ts `stableChunks`). The driver
 * is synchronous, so a transaction's statements cannot interleave with another's as long as
 * transactions run one after the other, which the worker guarantees.
 */
export function sqliteSession(db: Database): SqlSession {
  const statements = new Map<string, Statement<SqlValue[]>>();
  const statement = (sql: string): Statement<SqlValue[]> => {
    let prepared = statements.get(sql);
    if (prepared === undefined) statements.set(sql, (prepared = db.prepare<SqlValue[]>(sql)));
    return prepared;
  };
  const query = (sql: string, params: readonly SqlValue[]): Promise<Record<string, unknown>[]> => {
    const prepared = statement(sql);
    // Booleans are bound as 1/0, as the TypeORM driver does.
    const values = params.map((v) => (typeof v === 'boolean' ? (v ? 1 : 0) : v));
    if (prepared.reader) return Promise.resolve(prepared.all(...values) as Record<string, unknown>[]);
    prepared.run(...values);
    return Promise.resolve([]);
  };
  return {
    async transaction(work) {
      // IMMEDIATE: take the write lock up front, so a busy database fails here (and is retried
      // by the recorder) rather than half-way through the batch.
      db.exec('BEGIN IMMEDIATE');
      try {
        const result = await work(query);
        db.exec('COMMIT');
        return result;
      } catch (error) {
        if (db.inTransaction) db.exec('ROLLBACK');
        throw error;
      }
    },
  };
}
