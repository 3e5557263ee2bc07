import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { GatewayEvents, ReloadResult } from '../../src/runtime/events.js';
import { EventBus } from '../../src/shared/event-bus.js';
import type { ConfigRevision, ConfigRevisionInput, ConfigRevisionStore } from '../../src/store/config-revision-repository.js';
import { openUsageStore, type UsageStore } from '../../src/store/open-store.js';
import { logConfigRevisions } from '../../src/store/revision-log.js';
import { waitFor } from '../helpers/wait.js';
import { quietLogger } from './store-test-helpers.js';

let store: UsageStore;
beforeAll(async () => {
  store = await openUsageStore('sqlite::memory:', quietLogger());
});
afterAll(async () => store?.close());

/** The real store, with the first appends slowest: unserialized, they would land in reverse. */
function slowFirst(inner: ConfigRevisionStore): ConfigRevisionStore {
  let calls = 0;
  return {
    append: async (revision: ConfigRevisionInput): Promise<ConfigRevision> => {
      const delay = Math.max(0, 60 - 10 * calls++);
      await new Promise((resolve) => setTimeout(resolve, delay));
      return inner.append(revision);
    },
    list: (options) => inner.list(options),
    latestApplied: () => inner.latestApplied(),
  };
}

function result(version: number, status: 'applied' | 'rejected'): ReloadResult {
  return { status, trigger: 'file', version, hash: `h${version}`, file: 'gateway.yaml', changes: null, summary: '', issues: [], at: new Date(), durationMs: 1 };
}

describe('config revision log', () => {
  it('stores revisions in the order the reloads happened, the startup one first', async () => {
    const bus = new EventBus<GatewayEvents>();
    const record = logConfigRevisions(bus, slowFirst(store.configRevisions), quietLogger());
    void record({ version: 1, hash: 'h1', status: 'applied', changes: null, issues: [], trigger: 'startup', at: Date.now() });
    for (let v = 2; v <= 7; v++) bus.publish(v % 3 === 0 ? 'config.rejected' : 'config.applied', result(v, v % 3 === 0 ? 'rejected' : 'applied'));
    await waitFor(async () => (await store.configRevisions.list()).length === 7);
    const newestFirst = await store.configRevisions.list();
    expect(newestFirst.map((r) => r.hash).reverse()).toEqual(['h1', 'h2', 'h3', 'h4', 'h5', 'h6', 'h7']);
    expect(newestFirst.map((r) => r.status).reverse()).toEqual(['applied', 'applied', 'rejected', 'applied', 'applied', 'rejected', 'applied']);
  });
});
