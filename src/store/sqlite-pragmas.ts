/**
 * The settings of every connection to the SQLite usage store, the main thread's (TypeORM) and
 * the usage writer thread's alike. WAL + synchronous=NORMAL: commits append to the log without
 * an fsync each; a power cut can lose the last transactions but never corrupts the file, and
 * readers don't block the writer. (WAL itself is switched on per connection by its owner: TypeORM's
 * `enableWAL`, or the worker; an in-memory database has no WAL.)
 */
export function applySqlitePragmas(db: { pragma(source: string): unknown }): void {
  db.pragma('synchronous = NORMAL');
  db.pragma('foreign_keys = ON');
}
