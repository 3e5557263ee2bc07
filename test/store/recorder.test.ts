import { mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { UsageRecorder, type RecorderOptions } from '../../src/usage/recorder.js';
import type { UsageRecord } from '../../src/usage/usage-record.js';
import type { UsageWriteResult, UsageWriter } from '../../src/usage/usage-writer.js';
import { captureLogs } from '../helpers/log-capture.js';
import { waitFor } from '../helpers/wait.js';
import { quietLogger, tempSpoolDir } from './store-test-helpers.js';
import { makeRecord } from './usage-fixtures.js';

/** An in-memory writer with the real writer's contract (idempotent by request id) and switchable faults. */
class FakeWriter implements UsageWriter {
  readonly batches: string[][] = [];
  readonly stored: string[] = [];
  failing = false;
  /** Commit the next batch, then report a failure (a connection lost after COMMIT). */
  commitThenFail = false;

  async write(records: readonly UsageRecord[]): Promise<UsageWriteResult> {
    await new Promise((resolve) => setImmediate(resolve));
    if (this.failing) throw new Error('connect ECONNREFUSED 127.0.0.1:3306');
    this.batches.push(records.map((r) => r.requestId));
    let inserted = 0;
    for (const record of records) {
      if (this.stored.includes(record.requestId)) continue;
      this.stored.push(record.requestId);
      inserted += 1;
    }
    if (this.commitThenFail) {
      this.commitThenFail = false;
      throw new Error('Connection lost: The server closed the connection.');
    }
    return { inserted, duplicates: records.length - inserted };
  }
}

const ids = (from: number, count: number) => Array.from({ length: count }, (_, i) => `r-${String(from + i).padStart(4, '0')}`);
const records = (from: number, count: number) => ids(from, count).map((requestId, i) => makeRecord(from + i, { requestId }));

function recorder(writer: UsageWriter, options: Partial<RecorderOptions> = {}): UsageRecorder {
  return new UsageRecorder({
    writer,
    logger: quietLogger(),
    spoolDir: tempSpoolDir(),
    backoff: { initialMs: 10, maxMs: 100 },
    closeTimeoutMs: 300,
    ...options,
  });
}

describe('batching usage recorder', () => {
  it('writes a batch as soon as it is full, and the rest when the interval is up', async () => {
    const writer = new FakeWriter();
    const rec = recorder(writer, { batchSize: 10, intervalMs: 60_000 });
    for (const record of records(0, 25)) rec.record(record);
    await waitFor(() => writer.batches.length === 2, { what: 'two full batches' });
    expect(writer.batches.map((b) => b.length)).toEqual([10, 10]);
    expect(rec.stats().queued).toBe(5);
    await rec.close();
    expect(writer.stored).toEqual(ids(0, 25));
  });

  it('writes a partial batch once its oldest record is intervalMs old', async () => {
    const writer = new FakeWriter();
    const rec = recorder(writer, { batchSize: 100, intervalMs: 30 });
    for (const record of records(0, 3)) rec.record(record);
    expect(writer.batches).toEqual([]); // record() itself does no I/O
    await waitFor(() => writer.batches.length === 1, { what: 'the interval flush' });
    expect(writer.batches[0]).toEqual(ids(0, 3));
    await rec.close();
  });

  it('keeps arrival order through an outage that overflows into the spool', async () => {
    const writer = new FakeWriter();
    const spoolDir = tempSpoolDir();
    const rec = recorder(writer, { batchSize: 3, intervalMs: 5, bufferLimit: 5, spoolDir });
    writer.failing = true;
    for (const record of records(0, 20)) rec.record(record);
    await waitFor(() => rec.stats().failures >= 2 && rec.stats().spooled === 15, { what: 'failures and a spool' });
    await waitFor(() => readdirSync(spoolDir).some((name) => name.endsWith('.jsonl')), { what: 'a spool file' });
    expect(rec.stats()).toMatchObject({ queued: 5, state: 'retrying' });
    writer.failing = false;
    for (const record of records(20, 5)) rec.record(record); // arrive while catching up: join the tail
    await rec.drain();
    expect(writer.stored).toEqual(ids(0, 25));
    expect(rec.stats()).toMatchObject({ queued: 0, spooled: 0, written: 25, duplicates: 0, state: 'ok' });
    await rec.close();
  });

  it('counts a batch once when its commit landed but the acknowledgement was lost', async () => {
    const writer = new FakeWriter();
    const rec = recorder(writer, { batchSize: 4, intervalMs: 5 });
    writer.commitThenFail = true;
    for (const record of records(0, 4)) rec.record(record);
    await rec.drain();
    expect(writer.stored).toEqual(ids(0, 4));
    expect(rec.stats()).toMatchObject({ written: 0, duplicates: 4, failures: 1 });
    await rec.close();
  });

  it('replays a spool left by a crash, skipping a torn last line', async () => {
    const spoolDir = tempSpoolDir();
    mkdirSync(spoolDir, { recursive: true });
    const lines = records(0, 2).map((r) => JSON.stringify(r));
    writeFileSync(join(spoolDir, 'usage-0000000000001-1-000001.jsonl'), `${lines.join('\n')}\n{"requestId":"r-00`);
    const logs = captureLogs();
    const writer = new FakeWriter();
    const rec = recorder(writer, { spoolDir, logger: logs.logger });
    rec.record(makeRecord(9, { requestId: 'r-new' }));
    await rec.drain();
    expect(writer.stored).toEqual([...ids(0, 2), 'r-new']);
    expect(logs.lines.some((l) => l.msg.includes('unreadable lines'))).toBe(true);
    expect(readdirSync(spoolDir)).toEqual([]);
    await rec.close();
  });

  it('never throws from record(), even when the writer throws synchronously', async () => {
    const writer: UsageWriter = {
      write: () => {
        throw new Error('boom');
      },
    };
    const rec = recorder(writer, { batchSize: 1, intervalMs: 0 });
    expect(() => rec.record(makeRecord(1))).not.toThrow();
    await waitFor(() => rec.stats().failures > 0, { what: 'a failure' });
    expect(rec.stats().lastError?.message).toBe('boom');
    await rec.close();
    expect(rec.stats()).toMatchObject({ queued: 0, spooled: 1, state: 'closed' });
  });
});
