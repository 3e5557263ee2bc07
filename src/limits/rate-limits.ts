import type { AccountSpec, KeySpec, ModelSpec, PolicySpec, Snapshot } from '../runtime/snapshot.js';
import type { Clock } from '../shared/clock.js';
import type { Logger } from '../shared/logger.js';
import { AccountBlocks, type AccountBlock } from './account-blocks.js';
import { ConcurrencySlots } from './concurrency-slots.js';
import { modelNotAllowed, rateLimitExceeded } from './limit-errors.js';
import type { LimiterBackend } from './limiter-backend.js';
import { LimiterPool } from './limiter-pool.js';
import { PolicyEngine, type Admission, type Exhausted, type PolicyGrant, type Refusal } from './policy-engine.js';
import { describeAmount, type BudgetDimension } from './policy-math.js';
import { rateLimitHeaders } from './rate-limit-headers.js';
import { formatReset } from './reset-format.js';
import { SubjectPolicies } from './subject-policies.js';
import { RequestLimits, type AccountAdmission, type AccountAdmitter } from './request-limits.js';
import { isPromise, type MaybePromise } from '../shared/maybe-promise.js';

export interface RateLimitsDeps {
  backend: LimiterBackend;
  clock: Clock;
  logger: Logger;
}

/** One limit of a key's policy as the admin API shows it; cost in micro-USD like the counters. */
export interface KeyLimitReading {
  readonly policy: PolicySpec;
  readonly dimension: BudgetDimension | 'concurrency';
  readonly limit: number;
  readonly used: number;
  /** Ms until the window resets; null when nothing is counted or for concurrency. */
  readonly resetMs: number | null;
}

const NO_HEADERS: Readonly<Record<string, string>> = Object.freeze({});
const NOTHING_COUNTED: AccountAdmission = Object.freeze({ grant: null, refusal: null });

/**
 * The long-lived rate-limit service (built once in main): admits key requests, counts account
 * attempts, tells the router which accounts are at their limits. Its counters live in the
 * backend, keyed by policy fingerprint, and so outlive every config reload.
 */
export class RateLimits implements AccountAdmitter {
  private readonly slots = new ConcurrencySlots();
  private readonly pool: LimiterPool;
  private readonly engine: PolicyEngine;
  private readonly blocks = new AccountBlocks();
  private readonly subjects = new SubjectPolicies();

  constructor(private readonly deps: RateLimitsDeps) {
    this.pool = new LimiterPool(deps.backend);
    this.engine = new PolicyEngine(this.pool, this.slots);
  }

  get backend(): LimiterBackend {
    return this.deps.backend;
  }

  /**
   * Admits a request of `key` (null: anonymous, no policies) for `model`: 403 when the key may
   * not use the model, 429 with headers when a policy refuses (both thrown). Answers with the
   * request's handle, which the caller must `finish` when the request ends; at once when the
   * counters are in memory, else once the store has answered.
   */
  admit(snapshot: Snapshot, key: KeySpec | null, model: ModelSpec): MaybePromise<RequestLimits> {
    if (key === null) return this.handle(snapshot, NO_HEADERS, null);
    if (key.models !== null && !key.models.has(model.id)) throw modelNotAllowed(key, model);
    const resolved = this.subjects.of('key', key);
    const policies = resolved.policies(snapshot, model.id);
    if (policies.length === 0) return this.handle(snapshot, NO_HEADERS, null);
    const admission = this.engine.admit(resolved.subject, policies);
    return isPromise(admission) ? admission.then((a) => this.keyAdmitted(snapshot, a)) : this.keyAdmitted(snapshot, admission);
  }

  private keyAdmitted(snapshot: Snapshot, admission: Admission): RequestLimits {
    if (!admission.ok) throw rateLimitExceeded(admission.refusal, this.deps.clock.now());
    return this.handle(snapshot, rateLimitHeaders(admission.grant.readings), admission.grant);
  }

  admitAccount(snapshot: Snapshot, account: AccountSpec, modelId: string): MaybePromise<AccountAdmission> {
    const resolved = this.subjects.of('account', account);
    const policies = resolved.policies(snapshot, modelId);
    if (policies.length === 0) return NOTHING_COUNTED;
    const admission = this.engine.admit(resolved.subject, policies);
    return isPromise(admission) ? admission.then((a) => this.accountAdmitted(account, a)) : this.accountAdmitted(account, admission);
  }

  private accountAdmitted(account: AccountSpec, admission: Admission): AccountAdmission {
    if (admission.ok) return { grant: admission.grant, refusal: null };
    const refusal = admission.refusal;
    if (refusal.resetMs !== null && refusal.dimension !== 'concurrency') {
      this.blocks.block(account.id, refusal.policy, this.deps.clock.now() + refusal.resetMs, describeRefusal(refusal));
    }
    return { grant: null, refusal };
  }

  accountExhausted(account: AccountSpec, exhausted: readonly Exhausted[]): void {
    const now = this.deps.clock.now();
    for (const e of exhausted) {
      const per = e.policy.config[e.dimension]?.per ?? '?';
      const limit = e.policy[e.dimension]?.limit ?? 0;
      const units = e.dimension === 'costUsd' ? Math.round(limit * 1_000_000) : limit;
      this.blocks.block(account.id, e.policy, now + e.resetMs, `policy '${e.policy.id}': ${describeAmount(e.dimension, units)} per ${per} used up`);
    }
  }

  /**
   * Synchronous check for the router: is the account at one of its policy limits for this model?
   * Concurrency is read live; windowed limits come from what attempts and charges learned.
   */
  accountBlock(snapshot: Snapshot, accountId: string, modelId: string, now = this.deps.clock.now()): AccountBlock | null {
    const account = snapshot.accounts.get(accountId);
    if (account === undefined || account.policies.length === 0) return null;
    let worst: AccountBlock | null = null;
    const resolved = this.subjects.of('account', account);
    const subject = resolved.subject.counterKey;
    for (const policy of resolved.policies(snapshot, modelId)) {
      let block = this.blocks.find(accountId, policy, now);
      if (block === null && policy.concurrency !== undefined && this.slots.count(policy.fingerprint, subject) >= policy.concurrency) {
        // A slot frees when a request ends; 1s is a guess that keeps clients from spinning.
        block = { retryInMs: 1000, reason: `policy '${policy.id}': ${policy.concurrency} requests in flight` };
      }
      if (block !== null && (worst === null || block.retryInMs > worst.retryInMs)) worst = block;
    }
    return worst;
  }

  /**
   * What a key has used of every limit of its policies, read without counting anything (the
   * admin API's "remaining per window"). Uses the counter key of `PolicyEngine.admit`.
   */
  async keyReadings(snapshot: Snapshot, keyId: string): Promise<KeyLimitReading[]> {
    const key = snapshot.keys.get(keyId);
    if (key === undefined) return [];
    const subject = this.subjects.of('key', key).subject.counterKey;
    const readings: Array<Promise<KeyLimitReading>> = [];
    for (const policy of key.policies.flatMap((id) => snapshot.policies.get(id) ?? [])) {
      for (const { dimension, limit, counter } of this.pool.probes(policy)) {
        readings.push(Promise.resolve(counter.peek(subject)).then((state) => ({ policy, dimension, limit, used: state.used, resetMs: state.resetMs > 0 ? state.resetMs : null })));
      }
      if (policy.concurrency !== undefined) {
        const used = this.slots.count(policy.fingerprint, subject);
        readings.push(Promise.resolve({ policy, dimension: 'concurrency' as const, limit: policy.concurrency, used, resetMs: null }));
      }
    }
    return Promise.all(readings);
  }

  /** After a reload: forget counters of removed policies and blocks learned under old limits. */
  applied(next: Snapshot): void {
    this.pool.retain(new Set([...next.policies.values()].map((p) => p.fingerprint)));
    this.blocks.clear();
  }

  private handle(snapshot: Snapshot, headers: Readonly<Record<string, string>>, grant: PolicyGrant | null): RequestLimits {
    return new RequestLimits(snapshot, headers, grant, this, this.deps.logger);
  }

  close(): Promise<void> {
    return this.deps.backend.close();
  }
}

function describeRefusal(refusal: Refusal): string {
  if (refusal.dimension === 'concurrency') return `policy '${refusal.policy.id}': ${refusal.limit} requests in flight`;
  const per = refusal.policy.config[refusal.dimension]?.per ?? '?';
  return `policy '${refusal.policy.id}': ${describeAmount(refusal.dimension, refusal.limit)} per ${per} (resets in ${formatReset(refusal.resetMs ?? 0)})`;
}
