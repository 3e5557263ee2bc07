import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ALL_MIGRATIONS } from '../../migrations/all-migrations.js';
import { openUsageStore, type UsageStore } from '../../src/store/open-store.js';
import { runMigrations } from '../../src/store/migrate.js';
import { UsageRecorder } from '../../src/usage/recorder.js';
import { HOUR_MS } from '../../src/usage/rollup.js';
import type { UsageGroupBy } from '../../src/usage/usage-query.js';
import { defineResilienceSuite } from './store-resilience-suite.js';
import { clearTables, quietLogger, tempSpoolDir } from './store-test-helpers.js';
import type { StoreTarget, StoreTargetFactory } from './store-targets.js';
import { T0, dataset, expectedGroups, expectedTotals, makeRecord, matches, newestFirst } from './usage-fixtures.js';

/** Every number in `value` is a JS number (never a driver string), and no field is undefined. */
function expectPlainNumbers(value: unknown, path = '$'): void {
  if (value === null) return;
  expect(value, path).not.toBeUndefined();
  if (typeof value === 'string' && /^\d+$/.test(value) && !path.endsWith('Id') && !path.includes('requestId')) {
    throw new Error(`${path} is a numeric string '${value}'`);
  }
  if (Array.isArray(value)) value.forEach((item, i) => expectPlainNumbers(item, `${path}[${i}]`));
  else if (typeof value === 'object') for (const [k, v] of Object.entries(value as object)) expectPlainNumbers(v, `${path}.${k}`);
}

/**
 * The one store suite, run against every dialect: same data in, identical results out (every
 * expectation below is computed independently from the data set, so both dialects are held to
 * the same values).
 */
export function defineStoreSuite(name: string, factory: StoreTargetFactory): void {
  describe(`usage store on ${name}`, () => {
    let target: StoreTarget;
    let store: UsageStore;

    beforeAll(async () => {
      target = await factory();
    });

    afterAll(async () => {
      await store?.close();
      await target?.dispose();
    });

    it('migrates an empty database to the latest schema, and again as a no-op', async () => {
      const logger = quietLogger();
      // Every migration of migrations/all-migrations.ts, oldest first, then none.
      const all = ALL_MIGRATIONS.map((Migration) => new Migration().name);
      expect(all[0]).toBe('InitialUsageStore1767225600000');
      expect(await runMigrations(target.url, logger)).toEqual(all);
      expect(await runMigrations(target.url, logger)).toEqual([]);
      store = await openUsageStore(target.url, logger);
      for (const table of ['usage_request_log', 'usage_hourly_rollup', 'account_runtime_state', 'config_revision']) {
        const rows: { n: unknown }[] = await store.dataSource.query(`SELECT COUNT(*) AS n FROM ${table}`);
        expect(Number(rows[0]?.n), table).toBe(0);
      }
    });

    it('refuses to open a store it cannot reach', async () => {
      await expect(openUsageStore(target.unreachableUrl, quietLogger())).rejects.toThrow();
    });

    describe('with the data set recorded', () => {
      const records = dataset();
      const range = { from: T0 - HOUR_MS, to: T0 + 24 * HOUR_MS };

      beforeAll(async () => {
        await clearTables(store);
        const recorder = new UsageRecorder({ writer: store.writer, logger: quietLogger(), spoolDir: tempSpoolDir(), batchSize: 7 });
        for (const record of records) recorder.record(record);
        await recorder.close();
        expect(recorder.stats()).toMatchObject({ written: records.length, duplicates: 0, queued: 0, spooled: 0 });
      });

      it('keeps every field of every record, times to the millisecond', async () => {
        const page = await store.query.requestLog({ limit: 500 });
        expect(page.nextCursor).toBeNull();
        expect(page.items.map(({ id: _id, ...record }) => record)).toEqual(newestFirst(records));
        expectPlainNumbers(page.items);
      });

      it('rolls usage up per hour × key × account × model, cost and tokens exact', async () => {
        const rows: Record<string, unknown>[] = await store.dataSource.query('SELECT * FROM usage_hourly_rollup');
        expect(rows.length).toBe(expectedGroups(records, ['hour', 'key', 'account', 'model']).length);
        expect(await store.query.totals(range)).toEqual(expectedTotals(records));
        // Price check by hand for one record: gpt-4o, 1000 input (0 cached), 200 output.
        const first = records[0]!;
        expect(first.costMicroUsd).toBe(1000 * 2.5 + 200 * 10);
      });

      it('filters totals by key, account (also none) and model', async () => {
        for (const filter of [{ keyId: 'alpha' }, { keyId: 'Alpha' }, { accountId: 'acc-2' }, { accountId: null }, { model: 'house-model' }, { keyId: 'beta', model: 'gpt-4o' }]) {
          expect(await store.query.totals(range, filter), JSON.stringify(filter)).toEqual(expectedTotals(records.filter((r) => matches(r, filter))));
        }
        expect(await store.query.totals({ from: T0 + 100 * HOUR_MS, to: T0 + 101 * HOUR_MS })).toEqual(expectedTotals([]));
      });

      it('groups by key, account, model, hour and day, alone and combined', async () => {
        const cases: UsageGroupBy[][] = [['key'], ['account'], ['model'], ['hour'], ['day'], ['day', 'model'], ['hour', 'key', 'account', 'model'], []];
        for (const groupBy of cases) {
          const rows = await store.query.grouped(range, groupBy);
          const expected = groupBy.length ? expectedGroups(records, groupBy) : [{ group: {}, ...expectedTotals(records) }];
          expect(rows, groupBy.join('+')).toEqual(expected);
          expectPlainNumbers(rows);
        }
        const days = await store.query.grouped(range, ['day']);
        expect(days.length).toBe(2); // the data set crosses midnight UTC
        const hours = await store.query.grouped({ from: T0, to: T0 + 2 * HOUR_MS }, ['hour'], { model: 'gpt-4o' });
        expect(hours.map((h) => h.group.bucketStart)).toEqual([T0, T0 + HOUR_MS]);
        await expect(store.query.grouped(range, ['hour', 'day'])).rejects.toThrow(/hour or by day/);
      });

      it('filters the request log by key, account, model, status class and time', async () => {
        const all = newestFirst(records);
        const cases = [
          [{ keyId: 'Alpha' }, (r: typeof all[number]) => r.keyId === 'Alpha'],
          [{ accountId: null }, (r: typeof all[number]) => r.accountId === null],
          [{ accountId: 'acc-1', model: 'gpt-5.3-codex' }, (r: typeof all[number]) => r.accountId === 'acc-1' && r.model === 'gpt-5.3-codex'],
          [{ statusClass: 4 as const }, (r: typeof all[number]) => r.status >= 400 && r.status < 500],
          [{ statusClass: 5 as const }, (r: typeof all[number]) => r.status >= 500],
          [{ statusClass: 2 as const, keyId: 'beta' }, (r: typeof all[number]) => r.status < 300 && r.keyId === 'beta'],
          [{ from: T0 + HOUR_MS, to: T0 + 3 * HOUR_MS }, (r: typeof all[number]) => r.startedAt >= T0 + HOUR_MS && r.startedAt < T0 + 3 * HOUR_MS],
        ] as const;
        for (const [query, keep] of cases) {
          const page = await store.query.requestLog({ ...query, limit: 500 });
          expect(page.items.map((i) => i.requestId), JSON.stringify(query)).toEqual(all.filter(keep).map((r) => r.requestId));
        }
      });

      it('pages through the request log with an opaque cursor, ties included', async () => {
        const seen: string[] = [];
        let cursor: string | null = null;
        let pages = 0;
        do {
          const page = await store.query.requestLog({ limit: 5, cursor });
          expect(page.items.length).toBeLessThanOrEqual(5);
          seen.push(...page.items.map((i) => i.requestId));
          cursor = page.nextCursor;
          pages += 1;
        } while (cursor);
        expect(pages).toBe(Math.ceil(records.length / 5));
        expect(seen).toEqual(newestFirst(records).map((r) => r.requestId));
        const filtered = await store.query.requestLog({ keyId: 'beta', limit: 3 });
        const next = await store.query.requestLog({ keyId: 'beta', limit: 3, cursor: filtered.nextCursor });
        expect(next.items.map((i) => i.keyId)).toEqual(['beta', 'beta', 'beta']);
        await expect(store.query.requestLog({ cursor: 'not-a-cursor' })).rejects.toThrow(/invalid cursor/);
      });

      it('returns numbers, not driver strings, even past 32 bits', async () => {
        const big = makeRecord(900, { requestId: 'req-big', startedAt: T0 + 50 * HOUR_MS, costMicroUsd: 9_007_199_254_000, usage: { inputTokens: 2_000_000_000, cachedInputTokens: 0, outputTokens: 2_000_000_000, reasoningTokens: 0 } });
        await store.writer.write([big, { ...big, requestId: 'req-big-2' }]);
        const totals = await store.query.totals({ from: T0 + 50 * HOUR_MS, to: T0 + 51 * HOUR_MS });
        expect(totals).toMatchObject({ requests: 2, inputTokens: 4_000_000_000, outputTokens: 4_000_000_000, costMicroUsd: 18_014_398_508_000 });
        expectPlainNumbers(totals);
        const page = await store.query.requestLog({ from: T0 + 50 * HOUR_MS });
        expect(page.items.map((i) => i.costMicroUsd)).toEqual([9_007_199_254_000, 9_007_199_254_000]);
        expect(typeof page.items[0]!.id).toBe('number');
      });
    });

    describe('writer', () => {
      beforeAll(async () => clearTables(store));

      it('is idempotent: a repeated or overlapping batch adds only the new request ids, rollups included', async () => {
        const batch = [0, 1, 2, 3].map((i) => makeRecord(i));
        expect(await store.writer.write(batch)).toEqual({ inserted: 4, duplicates: 0 });
        expect(await store.writer.write(batch)).toEqual({ inserted: 0, duplicates: 4 });
        const overlap = [makeRecord(3), makeRecord(4), makeRecord(4), makeRecord(5)];
        expect(await store.writer.write(overlap)).toEqual({ inserted: 2, duplicates: 2 });
        const all = [0, 1, 2, 3, 4, 5].map((i) => makeRecord(i));
        expect(await store.query.totals({ from: T0, to: T0 + 24 * HOUR_MS })).toEqual(expectedTotals(all));
      });

      it('fits oversized values instead of failing the batch', async () => {
        const odd = makeRecord(20, { requestId: 'req-odd', userAgent: 'x'.repeat(2_000), latencyMs: 12.6, errorCode: 'e'.repeat(100) });
        expect(await store.writer.write([odd])).toEqual({ inserted: 1, duplicates: 0 });
        const page = await store.query.requestLog({ keyId: odd.keyId, from: odd.startedAt, to: odd.startedAt + 1 });
        expect(page.items[0]).toMatchObject({ requestId: 'req-odd', latencyMs: 13 });
        expect(page.items[0]!.userAgent).toHaveLength(512);
        expect(page.items[0]!.errorCode).toHaveLength(64);
      });
    });

    describe('account state and config revisions', () => {
      it('keeps account runtime state across reads, merging patches', async () => {
        expect(await store.accountState.get('acc-1')).toBeNull();
        await store.accountState.update('acc-1', { cooldownUntil: T0 + 1234, quota: { primary: { usedPercent: 42.5 } } }, T0);
        const merged = await store.accountState.update('acc-1', { paused: true }, T0 + 1);
        expect(merged).toMatchObject({ accountId: 'acc-1', cooldownUntil: T0 + 1234, quota: { primary: { usedPercent: 42.5 } }, paused: true, updatedAt: T0 + 1 });
        expect(await store.accountState.get('acc-1')).toEqual(merged);
        await store.accountState.update('acc-0', { cooldownUntil: null }, T0);
        expect((await store.accountState.list()).map((s) => [s.accountId, s.paused, s.cooldownUntil])).toEqual([
          ['acc-0', false, null],
          ['acc-1', true, T0 + 1234],
        ]);
        await store.accountState.remove('acc-0');
        expect(await store.accountState.get('acc-0')).toBeNull();
      });

      it('concurrent patches of different columns of one account all stay (instances share the row)', async () => {
        await Promise.all([
          store.accountState.update('acc-2', { oauthTokens: 'sealed-by-one-instance' }, T0),
          store.accountState.update('acc-2', { quota: { primary: { usedPercent: 7 } } }, T0),
          store.accountState.update('acc-2', { cooldownUntil: T0 + 99 }, T0),
          store.accountState.update('acc-2', { reauthReason: null, paused: true }, T0),
        ]);
        expect(await store.accountState.get('acc-2')).toMatchObject({ oauthTokens: 'sealed-by-one-instance', quota: { primary: { usedPercent: 7 } }, cooldownUntil: T0 + 99, paused: true, reauthReason: null });
        await store.accountState.remove('acc-2');
      });

      it('logs config revisions, newest first', async () => {
        const a = await store.configRevisions.append({ version: 1, hash: 'sha256:aa', status: 'applied', changes: { created: ['keys.k1'] }, issues: [], trigger: 'startup', at: T0 });
        await store.configRevisions.append({ version: 2, hash: 'sha256:bb', status: 'rejected', changes: null, issues: [{ path: 'keys[0].id', message: 'bad' }], trigger: 'file', at: T0 + 5 });
        expect(a).toMatchObject({ version: 1, status: 'applied', at: T0 });
        expect(typeof a.id).toBe('number');
        const list = await store.configRevisions.list();
        expect(list.map((r) => [r.version, r.status, r.trigger])).toEqual([[2, 'rejected', 'file'], [1, 'applied', 'startup']]);
        expect(list[0]!.issues).toEqual([{ path: 'keys[0].id', message: 'bad' }]);
        expect(await store.configRevisions.latestApplied()).toEqual(a);
        expect(await store.configRevisions.list({ beforeId: list[0]!.id })).toEqual([a]);
      });
    });

    defineResilienceSuite(() => ({ target, store }));
  });
}
