import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createLogger } from '../../src/shared/logger.js';
import type { UsageStore } from '../../src/store/open-store.js';

export const quietLogger = () => createLogger({ level: 'silent' });

export function tempSpoolDir(): string {
  return join(mkdtempSync(join(tmpdir(), 'codex-lb-spool-')), 'spool');
}

/** Empty every table, so each scenario starts from the same state. */
export async function clearTables(store: UsageStore): Promise<void> {
  for (const table of ['usage_request_log', 'usage_hourly_rollup', 'account_runtime_state', 'config_revision']) {
    await store.dataSource.query(`DELETE FROM ${table}`);
  }
}
