import type { AccountSpec, ModelSpec, Snapshot } from '../runtime/snapshot.js';
import type { Clock } from '../shared/clock.js';
import type { AccountStateStore } from './account-state.js';
import { RoutePlan } from './route-plan.js';
import type { StickySessions } from './sticky-sessions.js';
import type { StrategySet } from './strategies/strategy-set.js';

/** Remaining capacity (0..1) of an account, or null when unknown; ChatGPT quota feeds it later. */
export type CapacitySource = (accountId: string) => number | null;

/** Why an account cannot take requests at all (missing credentials, unsupported kind), or null. */
export type ServableCheck = (account: AccountSpec) => string | null;

/** An account at one of its own policy limits for a model (rate limits, budgets, concurrency), or null. */
export type PolicyBlockCheck = (snapshot: Snapshot, accountId: string, modelId: string, now: number) => { retryInMs: number; reason: string } | null;

export interface AccountRouterDeps {
  state: AccountStateStore;
  sticky: StickySessions;
  strategies: StrategySet;
  clock: Clock;
  servable: ServableCheck;
  capacity?: CapacitySource;
  /** Account policies (issue 4): an account at its limit is skipped like one cooling down. */
  policyBlock?: PolicyBlockCheck;
}

/**
 * Plans where a request goes: the model's accounts minus those that cannot serve, ordered by the
 * configured strategy, the session's sticky account first, then the model's fallback chain.
 * Long-lived (built in main); everything per-request lives in the returned RoutePlan.
 */
export class AccountRouter {
  constructor(private readonly deps: AccountRouterDeps) {}

  /** `pinnedAccountId`: only that account may serve (see account-pin.ts); sticky and strategy do not matter then. */
  plan(snapshot: Snapshot, model: ModelSpec, sessionKey: string | null, pinnedAccountId: string | null = null): RoutePlan {
    const routing = snapshot.routing;
    const sticky = sessionKey !== null && routing.stickyEnabled ? (this.deps.sticky.accountFor(sessionKey) ?? null) : null;
    return new RoutePlan({
      snapshot,
      model,
      stickyAccountId: sticky,
      pinnedAccountId,
      strategy: this.deps.strategies.get(routing.strategy),
      state: this.deps.state,
      now: () => this.deps.clock.now(),
      servable: this.deps.servable,
      capacity: this.deps.capacity ?? nullCapacity,
      policyBlock: this.deps.policyBlock ?? noPolicyBlock,
    });
  }

  /** The session served well on this account: keep it there for the sticky TTL. */
  bindSession(snapshot: Snapshot, sessionKey: string | null, accountId: string): void {
    if (sessionKey === null || !snapshot.routing.stickyEnabled) return;
    this.deps.sticky.bind(sessionKey, accountId, snapshot.routing.stickyTtlMs);
  }
}

function noPolicyBlock(): null {
  return null;
}

function nullCapacity(): null {
  return null;
}
