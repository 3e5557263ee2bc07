import type { AccountSpec, ModelSpec, Snapshot } from '../runtime/snapshot.js';
import type { AccountStateStore } from './account-state.js';
import type { CapacitySource, PolicyBlockCheck, ServableCheck } from './account-router.js';
import type { RoutingStrategy, StrategyCandidate } from './strategies/routing-strategy.js';

export interface RouteCandidate extends StrategyCandidate {
  /** The model this account serves the request as (the requested one or a fallback). */
  readonly model: ModelSpec;
}

export interface UnavailableAccount {
  readonly accountId: string;
  readonly reason: string;
  readonly rateLimited: boolean;
  /** Ms until it may serve again; 0 when unknown or not time-bound. */
  readonly retryInMs: number;
}

/** Why nothing (more) can be tried, so the proxy can answer 429 usage_limit_reached or 503 no_accounts. */
export interface PoolExhaustion {
  /** Every account of the chain is cooling down from rate limits. */
  readonly allRateLimited: boolean;
  /** Shortest wait until one of them is back (ms), when known. */
  readonly retryAfterMs: number | null;
  readonly accounts: readonly UnavailableAccount[];
  /** Model ids considered: the requested one, then its fallbacks. */
  readonly models: readonly string[];
}

export interface RoutePlanInit {
  snapshot: Snapshot;
  model: ModelSpec;
  stickyAccountId: string | null;
  /** When set, the only account this plan offers. */
  pinnedAccountId?: string | null;
  strategy: RoutingStrategy;
  state: AccountStateStore;
  now: () => number;
  servable: ServableCheck;
  capacity: CapacitySource;
  policyBlock: PolicyBlockCheck;
}

/**
 * The candidates of one request, produced lazily: the model's own accounts first (ordered when
 * first needed), then each fallback model's accounts only once the previous group is used up, so
 * stateful strategies only advance for groups that were actually consulted. An account is offered
 * at most once per request, and re-checked right before it is offered (another request may have
 * put it in cooldown meanwhile).
 */
export class RoutePlan {
  private readonly chain: ModelSpec[];
  private group = -1;
  private queue: RouteCandidate[] = [];
  private readonly offered = new Set<string>();

  constructor(private readonly init: RoutePlanInit) {
    this.chain = modelChain(init.snapshot, init.model);
  }

  /** The models this plan may use, requested first. */
  get models(): readonly ModelSpec[] {
    return this.chain;
  }

  next(): RouteCandidate | null {
    for (;;) {
      const candidate = this.queue.shift();
      if (candidate !== undefined) {
        if (this.offered.has(candidate.account.id)) continue;
        if (!this.init.state.availability(candidate.account.id, this.init.now()).available) continue;
        if (this.init.policyBlock(this.init.snapshot, candidate.account.id, candidate.model.id, this.init.now()) !== null) continue;
        this.offered.add(candidate.account.id);
        return candidate;
      }
      if (++this.group >= this.chain.length) return null;
      this.queue = this.orderGroup(this.chain[this.group]);
    }
  }

  /** Every account of the chain that cannot serve now and why; for the 429/503 answer. */
  exhaustion(): PoolExhaustion {
    const now = this.init.now();
    const accounts: UnavailableAccount[] = [];
    const seen = new Set<string>();
    for (const model of this.chain) {
      for (const id of model.accountIds) {
        if (seen.has(id) || !this.admits(id)) continue;
        seen.add(id);
        const account = this.init.snapshot.accounts.get(id);
        const blocked = account === undefined ? 'not configured' : this.init.servable(account);
        if (blocked !== null) {
          accounts.push({ accountId: id, reason: blocked, rateLimited: false, retryInMs: 0 });
          continue;
        }
        const availability = this.init.state.availability(id, now);
        const atLimit = availability.available ? this.init.policyBlock(this.init.snapshot, id, model.id, now) : null;
        if (!availability.available) {
          accounts.push({
            accountId: id,
            reason: `${availability.rateLimited ? 'rate limited' : 'cooling down'}: ${availability.reason ?? 'failing'} (${Math.ceil(availability.retryInMs / 1000)}s left)`,
            rateLimited: availability.rateLimited,
            retryInMs: availability.retryInMs,
          });
        } else if (atLimit !== null) {
          accounts.push({ accountId: id, reason: `at its limit: ${atLimit.reason}`, rateLimited: true, retryInMs: atLimit.retryInMs });
        } else if (this.offered.has(id)) {
          const last = this.init.state.peek(id)?.lastError;
          accounts.push({ accountId: id, reason: `failed: ${last ?? 'unknown error'}`, rateLimited: false, retryInMs: 0 });
        } else {
          accounts.push({ accountId: id, reason: 'not tried (routing.failover.attempts reached)', rateLimited: false, retryInMs: 0 });
        }
      }
    }
    const allRateLimited = accounts.length > 0 && accounts.every((a) => a.rateLimited);
    const waits = accounts.filter((a) => a.retryInMs > 0).map((a) => a.retryInMs);
    return {
      allRateLimited,
      retryAfterMs: waits.length > 0 ? Math.min(...waits) : null,
      accounts,
      models: this.chain.map((m) => m.id),
    };
  }

  private admits(accountId: string): boolean {
    const pinned = this.init.pinnedAccountId ?? null;
    return pinned === null || pinned === accountId;
  }

  private orderGroup(model: ModelSpec): RouteCandidate[] {
    const { snapshot, state, servable, capacity } = this.init;
    const now = this.init.now();
    const available: RouteCandidate[] = [];
    for (const id of model.accountIds) {
      if (this.offered.has(id) || !this.admits(id)) continue;
      const account: AccountSpec | undefined = snapshot.accounts.get(id);
      if (account === undefined || servable(account) !== null) continue;
      if (!state.availability(id, now).available) continue;
      if (this.init.policyBlock(snapshot, id, model.id, now) !== null) continue;
      available.push({ account, model, inflight: state.peek(id)?.inflight ?? 0, capacity: capacity(id) });
    }
    const ordered = this.init.strategy.order(available, model.id);
    const sticky = this.init.stickyAccountId;
    if (sticky !== null) {
      const at = ordered.findIndex((c) => c.account.id === sticky);
      if (at > 0) ordered.unshift(...ordered.splice(at, 1));
    }
    return ordered;
  }
}

/** The requested model, then its `fallback`, and so on; enabled models only, no cycles. */
function modelChain(snapshot: Snapshot, model: ModelSpec): ModelSpec[] {
  const chain = [model];
  const seen = new Set([model.id]);
  let next = model.fallback;
  while (next !== null) {
    const spec = snapshot.models.get(next) ?? snapshot.modelByName.get(next);
    if (spec === undefined || seen.has(spec.id) || !spec.enabled) break;
    chain.push(spec);
    seen.add(spec.id);
    next = spec.fallback;
  }
  return chain;
}
