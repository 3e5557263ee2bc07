import type { AccountSpec, Snapshot } from '../runtime/snapshot.js';
import type { Logger } from '../shared/logger.js';
import type { UsageRecord } from '../usage/usage-record.js';
import type { Exhausted, PolicyGrant, Refusal } from './policy-engine.js';
import type { ChargeableUsage } from './policy-math.js';

/** The outcome an account attempt may get from its policies. */
export type AccountVerdict = { readonly ok: true } | { readonly ok: false; readonly retryInMs: number | null; readonly reason: string };

/** What the request-level handle needs from the long-lived limits service. */
export interface AccountAdmitter {
  admitAccount(snapshot: Snapshot, account: AccountSpec, modelId: string): Promise<{ grant: PolicyGrant | null; refusal: Refusal | null }>;
  accountExhausted(account: AccountSpec, exhausted: readonly Exhausted[]): void;
}

/** The usage a request ended with: a UsageRecord has exactly these fields. */
export type FinishedUsage = Pick<UsageRecord, 'accountId' | 'usage' | 'costMicroUsd'>;

/**
 * One request's hold on the limits: the key's grant (from admission), the grants of the accounts
 * it was attempted on, and the `x-ratelimit-*` headers. `finish` charges the actual usage to the
 * key and to the serving account and releases every concurrency slot, exactly once, whichever
 * way the request ended (completion, error, client disconnect).
 */
export class RequestLimits {
  // Most requests attempt no account with policies: the map is made on first use.
  private accounts: Map<string, { account: AccountSpec; grant: PolicyGrant }> | null = null;
  private finished = false;

  constructor(
    /** The request's snapshot: account policies are read from it like everything else. */
    private readonly snapshot: Snapshot,
    readonly headers: Readonly<Record<string, string>>,
    private readonly keyGrant: PolicyGrant | null,
    private readonly admitter: AccountAdmitter,
    private readonly logger: Logger,
  ) {}

  /**
   * Counts an attempt on the account against its policies (model-scoped ones included). A refused
   * account is not tried: the router moves on to the next candidate. Synchronous when there is
   * nothing to count (most accounts have no policies): no promise, no turn of the microtask queue.
   */
  tryAccount(account: AccountSpec, modelId: string): AccountVerdict | Promise<AccountVerdict> {
    if (account.policies.length === 0 || this.finished) return ALLOWED;
    return this.countAttempt(account, modelId);
  }

  private async countAttempt(account: AccountSpec, modelId: string): Promise<AccountVerdict> {
    const { grant, refusal } = await this.admitter.admitAccount(this.snapshot, account, modelId);
    if (refusal !== null) return { ok: false, retryInMs: refusal.resetMs, reason: `policy '${refusal.policy.id}' (${refusal.dimension})` };
    if (grant !== null) {
      // The client may have left while the store answered: nothing will release it later.
      if (this.finished) grant.release();
      else (this.accounts ??= new Map()).set(account.id, { account, grant });
    }
    return ALLOWED;
  }

  /** A failed attempt frees the account's concurrency slots at once (its request was counted). */
  attemptFailed(accountId: string): void {
    this.accounts?.get(accountId)?.grant.release();
  }

  finish(outcome: FinishedUsage | null): void {
    if (this.finished) return;
    this.finished = true;
    const usage = outcome === null || outcome.usage === null ? null : toChargeable(outcome);
    if (usage !== null && this.keyGrant !== null) void this.keyGrant.charge(usage).catch((err: unknown) => this.chargeFailed(err));
    this.keyGrant?.release();
    if (this.accounts === null) return;
    for (const [accountId, { account, grant }] of this.accounts) {
      if (usage !== null && outcome?.accountId === accountId) {
        grant
          .charge(usage)
          .then((exhausted) => this.admitter.accountExhausted(account, exhausted))
          .catch((err: unknown) => this.chargeFailed(err));
      }
      grant.release();
    }
  }

  private chargeFailed(err: unknown): void {
    this.logger.warn({ err }, 'could not charge usage to rate-limit budgets');
  }
}

const ALLOWED: AccountVerdict = Object.freeze({ ok: true });

function toChargeable(outcome: FinishedUsage): ChargeableUsage {
  const usage = outcome.usage;
  return { inputTokens: usage?.inputTokens ?? 0, outputTokens: usage?.outputTokens ?? 0, costMicroUsd: outcome.costMicroUsd };
}
