import type { PolicySpec } from '../runtime/snapshot.js';

/** Why an account cannot take a request for a model right now, and for how long. */
export interface AccountBlock {
  readonly retryInMs: number;
  readonly reason: string;
}

interface Entry {
  readonly until: number;
  readonly reason: string;
}

/**
 * What this process has learned about accounts at their policy limits, so the router can skip
 * them without a store round trip. These are hints: the attempt itself is the authority (its
 * admission may still be refused, e.g. when another instance used the budget), and a reload
 * forgets them since limits may have changed.
 */
export class AccountBlocks {
  private readonly entries = new Map<string, Entry>();

  block(accountId: string, policy: PolicySpec, until: number, reason: string): void {
    const id = `${accountId}|${policy.fingerprint}`;
    const known = this.entries.get(id);
    if (known === undefined || known.until < until) this.entries.set(id, { until, reason });
  }

  /** The block of `policy` on the account, if it is still running at `now`. */
  find(accountId: string, policy: PolicySpec, now: number): AccountBlock | null {
    const id = `${accountId}|${policy.fingerprint}`;
    const entry = this.entries.get(id);
    if (entry === undefined) return null;
    if (entry.until <= now) {
      this.entries.delete(id);
      return null;
    }
    return { retryInMs: entry.until - now, reason: entry.reason };
  }

  clear(): void {
    this.entries.clear();
  }
}
