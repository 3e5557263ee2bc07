import type { Logger } from '../shared/logger.js';
import { backoffDelay, type BackoffSettings } from '../usage/backoff.js';
import type { UsageQuery } from '../usage/usage-query.js';
import type { UsageWriter } from '../usage/usage-writer.js';
import type { AccountStateStore } from './account-state-repository.js';
import type { ConfigRevisionStore } from './config-revision-repository.js';
import { openUsageStore, type OpenStoreOptions, type UsageStore } from './open-store.js';
import { describeStorageUrl } from './storage-url.js';

/** The store is not open yet (unreachable since startup); callers treat it like any outage. */
export class StoreUnavailableError extends Error {
  constructor(description: string, cause: string | null) {
    super(`usage store ${description} is not reachable yet${cause ? `: ${cause}` : ''}`);
    this.name = 'StoreUnavailableError';
  }
}

export interface ConnectingStoreOptions extends OpenStoreOptions {
  backoff?: BackoffSettings;
}

/**
 * The usage store as the gateway holds it: usable at once, even when the database is down at
 * startup. It opens (and migrates) in the background, retrying with backoff; until then every
 * call fails with `StoreUnavailableError`, which the recorder absorbs (buffer, spool) and the
 * admin API reports as unavailable. A gateway restarted while its database is being restarted
 * keeps serving instead of crash-looping.
 */
export class ConnectingStore {
  readonly writer: UsageWriter;
  readonly query: UsageQuery;
  readonly accountState: AccountStateStore;
  readonly configRevisions: ConfigRevisionStore;
  /** Resolves with the open store; never rejects (it keeps retrying until close). */
  readonly opened: Promise<UsageStore>;
  private store: UsageStore | null = null;
  private lastError: string | null = null;
  private closed = false;
  private timer: NodeJS.Timeout | null = null;
  private attempt: Promise<unknown> = Promise.resolve();

  constructor(
    private readonly url: string,
    private readonly logger: Logger,
    private readonly options: ConnectingStoreOptions = {},
  ) {
    const use = <T>(pick: (store: UsageStore) => T): T => {
      if (this.store === null) throw new StoreUnavailableError(describeStorageUrl(this.url), this.lastError);
      return pick(this.store);
    };
    this.writer = { write: async (records) => use((s) => s.writer).write(records) };
    this.query = {
      totals: async (range, filter) => use((s) => s.query).totals(range, filter),
      grouped: async (range, groupBy, filter) => use((s) => s.query).grouped(range, groupBy, filter),
      requestLog: async (query) => use((s) => s.query).requestLog(query),
    };
    this.accountState = {
      get: async (id) => use((s) => s.accountState).get(id),
      list: async () => use((s) => s.accountState).list(),
      update: async (id, patch, now) => use((s) => s.accountState).update(id, patch, now),
      remove: async (id) => use((s) => s.accountState).remove(id),
    };
    this.configRevisions = {
      append: async (revision) => use((s) => s.configRevisions).append(revision),
      list: async (listOptions) => use((s) => s.configRevisions).list(listOptions),
      latestApplied: async () => use((s) => s.configRevisions).latestApplied(),
    };
    let onOpen: (store: UsageStore) => void = () => {};
    this.opened = new Promise((resolve) => (onOpen = resolve));
    this.connect(1, onOpen);
  }

  get isOpen(): boolean {
    return this.store !== null;
  }

  /** Waits up to `timeoutMs` for the first connection; true when the store is open. */
  async waitOpen(timeoutMs: number): Promise<boolean> {
    if (this.store !== null) return true;
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<false>((resolve) => (timer = setTimeout(() => resolve(false), timeoutMs)));
    try {
      return await Promise.race([this.opened.then(() => true), timeout]);
    } finally {
      clearTimeout(timer);
    }
  }

  /** True when the store is open and answers a trivial query within `timeoutMs` (for `/ready`). */
  async ping(timeoutMs: number): Promise<boolean> {
    return this.store === null ? false : this.store.ping(timeoutMs);
  }

  async close(): Promise<void> {
    this.closed = true;
    if (this.timer !== null) clearTimeout(this.timer);
    await this.attempt.catch(() => {});
    await this.store?.close();
  }

  private connect(attempt: number, onOpen: (store: UsageStore) => void): void {
    this.attempt = openUsageStore(this.url, this.logger, this.options).then(
      async (store) => {
        if (this.closed) return store.close();
        this.store = store;
        if (attempt > 1) this.logger.info({ store: describeStorageUrl(this.url) }, 'usage store reachable: connected');
        onOpen(store);
      },
      (error: unknown) => {
        this.lastError = error instanceof Error ? error.message : String(error);
        if (attempt === 1) {
          this.logger.warn({ store: describeStorageUrl(this.url), err: this.lastError }, 'usage store unreachable at startup: serving anyway, usage waits in memory and in the spool; retrying');
        }
        if (this.closed) return;
        const delay = backoffDelay(attempt, this.options.backoff ?? { initialMs: 500, maxMs: 15_000 });
        this.timer = setTimeout(() => this.connect(attempt + 1, onOpen), delay);
        this.timer.unref();
      },
    );
  }
}
