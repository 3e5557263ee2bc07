import { spawn } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openUsageStore, type UsageStore } from '../../src/store/open-store.js';
import { SqliteUsageThread } from '../../src/store/sqlite-usage-thread.js';
import type { UsageRecord } from '../../src/usage/usage-record.js';
import { quietLogger } from './store-test-helpers.js';
import { makeRecord } from './usage-fixtures.js';

const batch = (prefix: string, count: number): UsageRecord[] => Array.from({ length: count }, (_, i) => makeRecord(i, { requestId: `${prefix}-${i}` }));

async function count(store: UsageStore, prefix: string): Promise<number> {
  const rows: { n: number }[] = await store.dataSource.query('SELECT COUNT(*) AS n FROM usage_request_log WHERE request_id LIKE ?', [`${prefix}-%`]);
  return Number(rows[0]?.n ?? 0);
}

describe('the SQLite usage writer thread', () => {
  let dir: string;
  let store: UsageStore;
  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'codex-lb-thread-'));
    store = await openUsageStore(`sqlite:${join(dir, 'usage.sqlite')}`, quietLogger());
  });
  afterAll(async () => store?.close());

  it('writes a SQLite file from its own thread, and the main connection reads what it wrote', async () => {
    expect(store.writer).toBeInstanceOf(SqliteUsageThread);
    expect(await store.writer.write(batch('first', 3))).toEqual({ inserted: 3, duplicates: 0 });
    expect(await count(store, 'first')).toBe(3);
    // The same contract as on the main thread: request ids it already has are skipped.
    expect(await store.writer.write([...batch('first', 3), ...batch('second', 2)])).toEqual({ inserted: 2, duplicates: 3 });
  });

  it('answers batches handed over together, each in its own transaction, in order', async () => {
    const results = await Promise.all([store.writer.write(batch('a', 50)), store.writer.write(batch('b', 50)), store.writer.write(batch('a', 60))]);
    expect(results).toEqual([
      { inserted: 50, duplicates: 0 },
      { inserted: 50, duplicates: 0 },
      { inserted: 10, duplicates: 50 },
    ]);
  });

  it('fails a write it cannot do with the store error and keeps serving the next ones', async () => {
    const broken = new SqliteUsageThread(join(dir, 'missing-dir', 'nope', 'usage.sqlite'));
    await expect(broken.write(batch('x', 1))).rejects.toThrow(/directory does not exist|unable to open/i);
    await expect(broken.write(batch('x', 1))).rejects.toThrow(/directory does not exist|unable to open/i);
    await broken.close();
    // A record the structured clone refuses fails alone.
    const odd = { ...makeRecord(1, { requestId: 'odd-1' }), userAgent: (() => 'x') as unknown as string };
    await expect(store.writer.write([odd])).rejects.toThrow(/could not be cloned/i);
    expect(await store.writer.write(batch('after', 2))).toEqual({ inserted: 2, duplicates: 0 });
  });

  it('close() finishes every write it was handed; later writes are refused', async () => {
    const file = join(dir, 'closing.sqlite');
    const own = await openUsageStore(`sqlite:${file}`, quietLogger());
    const writes = [own.writer.write(batch('c1', 200)), own.writer.write(batch('c2', 200)), own.writer.write(batch('c3', 200))];
    const closed = own.close();
    expect(await Promise.all(writes)).toEqual([0, 1, 2].map(() => ({ inserted: 200, duplicates: 0 })));
    await closed;
    await expect(own.writer.write(batch('late', 1))).rejects.toThrow(/closed/);
    const reopened = await openUsageStore(`sqlite:${file}`, quietLogger());
    try {
      expect((await count(reopened, 'c1')) + (await count(reopened, 'c2')) + (await count(reopened, 'c3'))).toBe(600);
    } finally {
      await reopened.close();
    }
  });

  it('does not keep an idle process alive', async () => {
    const child = spawn(process.execPath, ['--import', 'tsx', join(import.meta.dirname, 'fixtures/write-and-leave.ts'), join(dir, 'leave.sqlite')], { stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    child.stdout.on('data', (chunk: Buffer) => (out += chunk.toString()));
    const code = await new Promise<number | null>((resolve) => {
      const timer = setTimeout(() => {
        child.kill('SIGKILL');
        resolve(-1);
      }, 20_000);
      child.once('exit', (exitCode) => {
        clearTimeout(timer);
        resolve(exitCode);
      });
    });
    expect(code, 'exited by itself').toBe(0);
    expect(JSON.parse(out)).toEqual({ inserted: 2, duplicates: 0 });
  });
});
