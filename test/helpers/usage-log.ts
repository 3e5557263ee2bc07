import { expect } from 'vitest';
import type { UsageStore } from '../../src/store/open-store.js';
import { waitFor } from './wait.js';

/** Request ids in the store's request log, each once: rows = distinct ids. */
export async function loggedIds(reader: UsageStore): Promise<string[]> {
  const ids: string[] = [];
  let cursor: string | undefined;
  for (;;) {
    const page = await reader.query.requestLog({ limit: 500, cursor });
    ids.push(...page.items.map((item) => item.requestId));
    if (page.nextCursor === null) return ids;
    cursor = page.nextCursor;
  }
}

/** Waits until the request log holds exactly `expected` (no record lost, none counted twice). */
export async function expectExactly(reader: UsageStore, expected: readonly string[]): Promise<void> {
  const ids = await waitFor(async () => {
    const found = await loggedIds(reader);
    return found.length >= expected.length ? found : null;
  }, { timeoutMs: 30_000, what: `${expected.length} request-log rows` });
  expect(ids).toHaveLength(expected.length);
  expect(new Set(ids)).toEqual(new Set(expected));
  const totals = await reader.query.totals({ from: 0, to: Date.now() + 60_000 });
  expect(totals.requests).toBe(expected.length);
}
