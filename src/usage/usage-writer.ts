import type { UsageRecord } from './usage-record.js';

/** What one `write` did: rows new to the request log, and rows it already had (skipped). */
export interface UsageWriteResult {
  inserted: number;
  duplicates: number;
}

/**
 * The recorder's port to the store. Implemented in `src/store/` per SQL dialect.
 *
 * Contract (the recorder's exactly-once replay depends on it):
 * - one call = one transaction: every record lands, or none does;
 * - idempotent: a record whose `requestId` is already in the request log is skipped, and the
 *   hourly rollups are updated only for the records actually inserted by this call, so a batch
 *   that is retried after an ambiguous failure (or replayed from the spool) is counted once.
 */
export interface UsageWriter {
  write(records: readonly UsageRecord[]): Promise<UsageWriteResult>;
}
