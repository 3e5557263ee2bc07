import type { Clock } from '../shared/clock.js';

/** How a pause is persisted (the usage store's account-state table); null = memory only. */
export interface PauseStore {
  setPaused(accountId: string, paused: boolean): Promise<void>;
}

export interface AccountPause {
  /** Epoch ms. */
  since: number;
  reason: string | null;
}

/**
 * Accounts paused by an admin at runtime: an override kept apart from gateway.yaml (the file
 * stays the desired state; a pause is an operator's temporary decision), keyed by account id so
 * it survives reloads, and persisted so it survives restarts. The router consults `isPaused`
 * through main's servable check, so a pause takes effect on the next request.
 */
export class AccountPauses {
  private readonly paused = new Map<string, AccountPause>();
  private readonly listeners = new Set<(accountId: string, pause: AccountPause | null) => void>();

  constructor(
    private readonly store: PauseStore | null,
    private readonly clock: Clock,
  ) {}

  /** Restores persisted pauses at startup (the reason is not persisted; `since` is the last update). */
  restore(entries: Iterable<{ accountId: string; paused: boolean; updatedAt: number }>): void {
    for (const entry of entries) if (entry.paused) this.paused.set(entry.accountId, { since: entry.updatedAt, reason: null });
  }

  get(accountId: string): AccountPause | null {
    return this.paused.get(accountId) ?? null;
  }

  isPaused(accountId: string): boolean {
    return this.paused.has(accountId);
  }

  /** Persists first: when the store refuses, nothing changes and the caller hears why. */
  async pause(accountId: string, reason: string | null): Promise<void> {
    await this.store?.setPaused(accountId, true);
    const current = this.paused.get(accountId);
    const pause = { since: current?.since ?? this.clock.now(), reason: reason ?? current?.reason ?? null };
    this.paused.set(accountId, pause);
    this.notify(accountId, pause);
  }

  async resume(accountId: string): Promise<void> {
    await this.store?.setPaused(accountId, false);
    this.paused.delete(accountId);
    this.notify(accountId, null);
  }

  /** Hears every pause and resume made here (the cluster shares them); returns the unsubscribe. */
  onChange(listener: (accountId: string, pause: AccountPause | null) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** A pause or resume another instance made (and persisted): applied here, not persisted again. */
  applyShared(accountId: string, pause: AccountPause | null): void {
    if (pause === null) this.paused.delete(accountId);
    else this.paused.set(accountId, pause);
  }

  private notify(accountId: string, pause: AccountPause | null): void {
    for (const listener of this.listeners) listener(accountId, pause);
  }
}
