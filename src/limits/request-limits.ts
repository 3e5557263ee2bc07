import type { AccountSpec, Snapshot } from '../runtime/snapshot.js';
import type { Logger } from '../shared/logger.js';
import type { UsageRecord } from '../usage/usage-record.js';
import type { Exhausted, PolicyGrant, Refusal } from './policy-engine.js';
import type { ChargeableUsage } from './policy-math.js';
import { isPromise, type MaybePromise } from '../shared/maybe-promise.js';

/** The outcome an account attempt may get from its policies. */
export type AccountVerdict = { readonly ok: true } | { readonly ok: false; readonly retryInMs: number | null; readonly reason: string };

/** An attempt's admission on an account: a grant to hold, a refusal, or neither (no policies). */
export interface AccountAdmission {
  readonly grant: PolicyGrant | null;
  readonly refusal: Refusal | null;
}

/** What the request-level handle needs from the long-lived limits service. */
export interface AccountAdmitter {
  admitAccount(snapshot: Snapshot, account: AccountSpec, modelId: string): MaybePromise<AccountAdmission>;
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
   * nothing to count (most accounts have no policies) and when its counters are in memory: no
   * promise, no turn of the microtask queue.
   */
  tryAccount(account: AccountSpec, modelId: string): MaybePromise<AccountVerdict> {
    if (account.policies.length === 0 || this.finished) return ALLOWED;
    const admission = this.admitter.admitAccount(this.snapshot, account, modelId);
    return isPromise(admission) ? admission.then((a) => this.attempted(account, a)) : this.attempted(account, admission);
  }

  private attempted(account: AccountSpec, { grant, refusal }: AccountAdmission): AccountVerdict {
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
    if (usage !== null && this.keyGrant !== null) this.charge(this.keyGrant, usage, null);
    this.keyGrant?.release();
    if (this.accounts === null) return;
    for (const [accountId, { account, grant }] of this.accounts) {
      if (usage !== null && outcome?.accountId === accountId) this.charge(grant, usage, account);
      grant.release();
    }
  }

  /** Charges a grant; the serving account learns which of its budgets the charge used up. */
  private charge(grant: PolicyGrant, usage: ChargeableUsage, account: AccountSpec | null): void {
    const learn = (exhausted: readonly Exhausted[]) => {
      if (account !== null) this.admitter.accountExhausted(account, exhausted);
    };
    try {
      const exhausted = grant.charge(usage);
      if (isPromise(exhausted)) exhausted.then(learn).catch((err: unknown) => this.chargeFailed(err));
      else learn(exhausted);
    } catch (err) {
      this.chargeFailed(err);
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
