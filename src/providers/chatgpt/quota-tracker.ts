import type { Clock } from '../../shared/clock.js';
import type { Logger } from '../../shared/logger.js';
import { aggregateQuota, quotaFromJson, quotaHeaders, remainingFraction, type CodexQuota } from './codex-quota.js';

/** Where quotas are kept across restarts (the store's account state `quota` column). */
export type QuotaPersister = (accountId: string, quota: CodexQuota) => Promise<void>;

export interface QuotaTrackerOptions {
  clock: Clock;
  logger: Logger;
  persist?: QuotaPersister;
  /** Hands a quota worth writing to the other instances too (the cluster); same throttle as `persist`. */
  share?: (accountId: string, quota: CodexQuota) => void;
  /** Least time between two writes of one account's quota when nothing much changed (default 60 s). */
  persistEveryMs?: number;
}

/**
 * The last quota each ChatGPT account reported (headers and `codex.rate_limits` events), for the
 * capacity_weighted strategy, the pool's aggregate `x-codex-*` headers and the admin API.
 * Long-lived, keyed by account id. Writes to the store are throttled: every response reports a
 * quota, but only a real change (a point of usage, a new window) or a minute's age is written.
 */
export class QuotaTracker {
  private readonly quotas = new Map<string, CodexQuota>();
  private readonly persisted = new Map<string, { quota: CodexQuota; at: number }>();
  private readonly persistEveryMs: number;

  constructor(private readonly options: QuotaTrackerOptions) {
    this.persistEveryMs = options.persistEveryMs ?? 60_000;
  }

  /** Restores quotas read from the store at startup (unparseable entries are skipped). */
  restore(entries: ReadonlyArray<{ accountId: string; quota: unknown }>): void {
    for (const entry of entries) {
      const quota = quotaFromJson(entry.quota);
      if (quota !== null && !this.quotas.has(entry.accountId)) {
        this.quotas.set(entry.accountId, quota);
        this.persisted.set(entry.accountId, { quota, at: quota.observedAt });
      }
    }
  }

  /**
   * A quota another instance observed (and already persisted), as it came over the wire: kept
   * when it is newer than ours, so every instance routes by the freshest report of each seat.
   */
  applyShared(accountId: string, json: unknown): void {
    const quota = quotaFromJson(json);
    if (quota === null) return;
    const previous = this.quotas.get(accountId);
    if (previous !== undefined && previous.observedAt >= quota.observedAt) return;
    this.quotas.set(accountId, quota);
    this.persisted.set(accountId, { quota, at: quota.observedAt });
  }

  record(accountId: string, quota: CodexQuota | null): void {
    if (quota === null) return;
    const previous = this.quotas.get(accountId);
    // A header-only report must not erase a window an event reported (and vice versa).
    const merged: CodexQuota = previous === undefined ? quota : { primary: quota.primary ?? previous.primary, secondary: quota.secondary ?? previous.secondary, observedAt: quota.observedAt };
    this.quotas.set(accountId, merged);
    this.maybePersist(accountId, merged);
  }

  quota(accountId: string): CodexQuota | null {
    return this.quotas.get(accountId) ?? null;
  }

  /** Remaining fraction (0..1) of the account's tighter window, or null when never reported. */
  remaining(accountId: string): number | null {
    return remainingFraction(this.quota(accountId), this.options.clock.now());
  }

  /** The `x-codex-*` headers of a pool: usage averaged by capacity, earliest reset. */
  poolHeaders(accounts: ReadonlyArray<{ id: string; capacity: number }>): Record<string, string> {
    const now = this.options.clock.now();
    const entries = accounts.map((a) => ({ quota: this.quota(a.id), capacity: a.capacity }));
    return quotaHeaders(aggregateQuota(entries, now), now);
  }

  private maybePersist(accountId: string, quota: CodexQuota): void {
    const { persist, share } = this.options;
    if (persist === undefined && share === undefined) return;
    const last = this.persisted.get(accountId);
    if (last !== undefined && quota.observedAt - last.at < this.persistEveryMs && !changed(last.quota, quota)) return;
    this.persisted.set(accountId, { quota, at: quota.observedAt });
    share?.(accountId, quota);
    persist?.(accountId, quota).catch((error: unknown) => {
      this.options.logger.warn({ account: accountId, err: error instanceof Error ? error.name : 'error' }, 'could not persist account quota');
    });
  }
}

function changed(a: CodexQuota, b: CodexQuota): boolean {
  for (const which of ['primary', 'secondary'] as const) {
    const x = a[which];
    const y = b[which];
    if ((x === null) !== (y === null)) return true;
    if (x !== null && y !== null && (Math.abs(x.usedPercent - y.usedPercent) >= 1 || x.resetAt !== y.resetAt)) return true;
  }
  return false;
}
