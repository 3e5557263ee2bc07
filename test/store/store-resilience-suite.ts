import { copyFileSync, mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { UsageStore } from '../../src/store/open-store.js';
import { startRetention } from '../../src/store/retention.js';
import { UsageRecorder, type RecorderOptions } from '../../src/usage/recorder.js';
import { DAY_MS, HOUR_MS } from '../../src/usage/rollup.js';
import type { UsageRecord } from '../../src/usage/usage-record.js';
import { waitFor } from '../helpers/wait.js';
import { clearTables, quietLogger, tempSpoolDir } from './store-test-helpers.js';
import type { StoreTarget } from './store-targets.js';
import { expectedTotals, makeRecord } from './usage-fixtures.js';

const WIDE = { from: 0, to: Date.UTC(2100, 0, 1) };

function spoolFiles(dir: string): string[] {
  try {
    return readdirSync(dir).filter((name) => name.endsWith('.jsonl')).sort();
  } catch {
    return [];
  }
}

function spooledIds(dir: string): string[] {
  return spoolFiles(dir).flatMap((name) =>
    readFileSync(join(dir, name), 'utf8')
      .split('\n')
      .filter((line) => line !== '')
      .map((line) => (JSON.parse(line) as UsageRecord).requestId),
  );
}

/** Request ids in the log in insertion (id) order: the order the store received them. */
async function storedIds(store: UsageStore): Promise<string[]> {
  const rows: { request_id: string }[] = await store.dataSource.query('SELECT request_id FROM usage_request_log ORDER BY id');
  return rows.map((row) => row.request_id);
}

function recorderFor(store: UsageStore, spoolDir: string, options: Partial<RecorderOptions> = {}): UsageRecorder {
  return new UsageRecorder({
    writer: store.writer,
    logger: quietLogger(),
    spoolDir,
    batchSize: 10,
    intervalMs: 20,
    bufferLimit: 25,
    backoff: { initialMs: 20, maxMs: 200 },
    closeTimeoutMs: 500,
    ...options,
  });
}

const batchOf = (from: number, count: number, prefix: string) =>
  Array.from({ length: count }, (_, i) => makeRecord(from + i, { requestId: `${prefix}-${String(from + i).padStart(4, '0')}` }));

/** Outage, spool, restart, shutdown and retention: the parts that must lose nothing. */
export function defineResilienceSuite(context: () => { target: StoreTarget; store: UsageStore }): void {
  describe('when the store fails', () => {
    it('keeps accepting records through an outage and stores each exactly once when it is back', async () => {
      const { target } = context();
      const switchable = await target.openSwitchable(quietLogger());
      const { store } = switchable;
      await clearTables(store);
      const spoolDir = tempSpoolDir();
      const recorder = recorderFor(store, spoolDir);
      try {
        const before = batchOf(0, 30, 'outage');
        for (const record of before) recorder.record(record);
        await waitFor(() => recorder.stats().written === 30, { timeoutMs: 20_000, what: 'first records written' });

        await switchable.down();
        const during = batchOf(30, 100, 'outage');
        for (const [i, record] of during.entries()) {
          expect(() => recorder.record(record)).not.toThrow();
          if (i % 10 === 9) await new Promise((resolve) => setTimeout(resolve, 5));
        }
        await waitFor(() => recorder.stats().failures > 0, { timeoutMs: 20_000, what: 'a failed write' });
        // Past the 25-record buffer the rest went to disk, durably.
        await waitFor(() => spooledIds(spoolDir).length >= 100 - 25, { timeoutMs: 20_000, what: 'records in the spool file' }).catch((error: Error) => {
          throw new Error(`${error.message}: ${JSON.stringify({ stats: recorder.stats(), lines: spooledIds(spoolDir).length })}`);
        });
        expect(recorder.stats().state).toBe('retrying');
        expect(recorder.stats().lastError?.message).toBeTruthy();

        await switchable.up();
        await recorder.drain(60_000);
        const all = [...before, ...during];
        const stored = await storedIds(store);
        const diagnosis = JSON.stringify({ stats: recorder.stats(), spool: spoolFiles(spoolDir), stored: stored.length });
        expect(stored, diagnosis).toEqual(all.map((r) => r.requestId)); // all, once, in arrival order
        expect(await store.query.totals(WIDE)).toEqual(expectedTotals(all));
        expect(spoolFiles(spoolDir)).toEqual([]);
        expect(recorder.stats()).toMatchObject({ queued: 0, spooled: 0, state: 'ok', written: 130 });
      } finally {
        await recorder.close();
        await switchable.up();
        await store.close();
      }
    });

    it('spools what it cannot write at shutdown and replays it once at the next start, even twice over', async () => {
      const { target } = context();
      const switchable = await target.openSwitchable(quietLogger());
      const { store } = switchable;
      await clearTables(store);
      const spoolDir = tempSpoolDir();
      const records = batchOf(0, 40, 'restart');
      try {
        await switchable.down();
        const first = recorderFor(store, spoolDir, { bufferLimit: 10, batchSize: 5 });
        for (const record of records) first.record(record);
        await first.close();
        expect(first.stats().written).toBe(0);
        expect(spooledIds(spoolDir)).toEqual(records.map((r) => r.requestId));

        // Keep a copy, as if the process had died after replaying but before deleting the files.
        const copies = mkdtempSync(join(tmpdir(), 'codex-lb-spool-copy-'));
        for (const name of spoolFiles(spoolDir)) copyFileSync(join(spoolDir, name), join(copies, name));

        await switchable.up();
        const second = recorderFor(store, spoolDir);
        // The batch the first recorder gave up on at its deadline may still land once the lock is
        // gone (a writer thread finishes what it was handed): the replay then skips those ids.
        await waitFor(() => second.stats().written + second.stats().duplicates === 40, { timeoutMs: 30_000, what: 'spool replayed at start' });
        await second.close();
        expect(spoolFiles(spoolDir)).toEqual([]);
        expect(await storedIds(store)).toEqual(records.map((r) => r.requestId));

        for (const name of spoolFiles(copies)) copyFileSync(join(copies, name), join(spoolDir, name));
        const third = recorderFor(store, spoolDir);
        await third.drain(30_000);
        expect(third.stats()).toMatchObject({ written: 0, duplicates: 40 });
        await third.close();
        expect(await storedIds(store)).toEqual(records.map((r) => r.requestId));
        expect(await store.query.totals(WIDE)).toEqual(expectedTotals(records));
      } finally {
        await switchable.up();
        await store.close();
      }
    });
  });

  describe('shutdown and retention', () => {
    it('close() writes every queued record, and a record arriving after it is spooled for the next start', async () => {
      const { store } = context();
      await clearTables(store);
      const spoolDir = tempSpoolDir();
      const recorder = recorderFor(store, spoolDir, { intervalMs: 60_000, batchSize: 1_000, bufferLimit: 10_000 });
      const records = batchOf(0, 37, 'close');
      for (const record of records) recorder.record(record);
      // Nothing is due for a minute: only close() can have written them.
      expect(await storedIds(store)).toEqual([]);
      await recorder.close();
      expect(await storedIds(store)).toEqual(records.map((r) => r.requestId));

      const late = makeRecord(99, { requestId: 'close-late' });
      recorder.record(late);
      expect(spooledIds(spoolDir)).toEqual(['close-late']);
      const next = recorderFor(store, spoolDir);
      await next.drain(30_000);
      await next.close();
      expect(await storedIds(store)).toEqual([...records.map((r) => r.requestId), 'close-late']);
    });

    it('purges request-log rows past the retention in the background and keeps the rollups', async () => {
      const { target, store } = context();
      await clearTables(store);
      const now = Date.UTC(2026, 5, 1, 12, 0, 0);
      const old = batchOf(0, 3, 'old').map((r, i) => ({ ...r, startedAt: now - 100 * DAY_MS + i }));
      const recent = batchOf(3, 2, 'recent').map((r, i) => ({ ...r, startedAt: now - DAY_MS + i }));
      await store.writer.write([...old, ...recent]);
      const retention = startRetention({
        dataSource: store.dataSource,
        dialect: target.dialect,
        retentionMs: 90 * DAY_MS,
        intervalMs: 3_600_000,
        logger: quietLogger(),
        clock: { now: () => now },
      });
      try {
        expect(await retention.runOnce()).toBe(3);
        expect(await retention.runOnce()).toBe(0);
      } finally {
        retention.stop();
      }
      expect(await storedIds(store)).toEqual(recent.map((r) => r.requestId));
      const oldHour = Math.floor(old[0]!.startedAt / HOUR_MS) * HOUR_MS;
      expect(await store.query.totals({ from: oldHour, to: oldHour + HOUR_MS })).toEqual(expectedTotals(old));
    });
  });
}
