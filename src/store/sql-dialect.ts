import type { StoreDialect } from './storage-url.js';

/**
 * The few statements whose syntax differs between SQLite and MariaDB. Everything else the store
 * writes is plain SQL that both accept; identifiers are chosen to need no quoting on either.
 */
export interface SqlDialect {
  readonly name: StoreDialect;
  /** `INSERT … VALUES …` suffix adding `addColumns` of the new row onto an existing row with the same key. */
  upsertAddSuffix(keyColumns: readonly string[], addColumns: readonly string[]): string;
  /** Delete at most `limit` rows of `table` with `column < ?` (one bound parameter). */
  deleteOlderThan(table: string, column: string, limit: number): string;
}

const sqliteDialect: SqlDialect = {
  name: 'sqlite',
  upsertAddSuffix: (keys, adds) =>
    `ON CONFLICT (${keys.join(', ')}) DO UPDATE SET ${adds.map((col) => `${col} = ${col} + excluded.${col}`).join(', ')}`,
  // SQLite has DELETE … LIMIT only in non-default builds; a rowid subquery is portable.
  deleteOlderThan: (table, column, limit) =>
    `DELETE FROM ${table} WHERE rowid IN (SELECT rowid FROM ${table} WHERE ${column} < ? ORDER BY ${column} LIMIT ${limit})`,
};

const mariadbDialect: SqlDialect = {
  name: 'mariadb',
  // VALUES(col) is the spelling both MariaDB and MySQL accept (MySQL 8.0.20+ deprecates it but keeps it).
  upsertAddSuffix: (_keys, adds) =>
    `ON DUPLICATE KEY UPDATE ${adds.map((col) => `${col} = ${col} + VALUES(${col})`).join(', ')}`,
  // MariaDB refuses LIMIT inside an IN subquery but has DELETE … ORDER BY … LIMIT.
  deleteOlderThan: (table, column, limit) => `DELETE FROM ${table} WHERE ${column} < ? ORDER BY ${column} LIMIT ${limit}`,
};

export function sqlDialect(name: StoreDialect): SqlDialect {
  return name === 'sqlite' ? sqliteDialect : mariadbDialect;
}

/** `(?, ?, ?), (?, ?, ?)` for `rows` rows of `columns` parameters. */
export function valuesPlaceholders(rows: number, columns: number): string {
  const row = `(${new Array<string>(columns).fill('?').join(', ')})`;
  return new Array<string>(rows).fill(row).join(', ');
}

/** Numbers from the driver: MariaDB returns BIGINT, DECIMAL and aggregates as strings, SQLite as numbers. */
export function toNumber(value: unknown): number {
  if (value === null || value === undefined) return 0;
  const n = typeof value === 'number' ? value : Number(value);
  if (!Number.isFinite(n)) throw new Error(`store returned a non-numeric value: ${String(value)}`);
  return n;
}

export function toNumberOrNull(value: unknown): number | null {
  return value === null || value === undefined ? null : toNumber(value);
}


/** The statement sizes stableChunks cuts into, largest first. */
export const STATEMENT_ROWS = [256, 64, 16, 4, 1] as const;

/**
 * `items` cut into chunks of the STATEMENT_ROWS sizes only (greedily, largest first), so a
 * multi-row statement has one of five texts whatever the batch size. Each distinct text is a
 * statement the driver prepares and caches: with one text per batch size, SQLite compiled a fresh
 * statement for nearly every batch, and their native memory piled up until a full GC.
 */
export function stableChunks<T>(items: readonly T[]): T[][] {
  const out: T[][] = [];
  let i = 0;
  for (const size of STATEMENT_ROWS) {
    for (; items.length - i >= size; i += size) out.push(items.slice(i, i + size));
  }
  return out;
}
