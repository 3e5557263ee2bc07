import type { AccountStateStore } from '../routing/account-state.js';
import type { AccountPauses } from '../runtime/account-pauses.js';
import type { AccountSpec } from '../runtime/snapshot.js';
import type { AccountLiveState, AccountsPort, QuotaWindowView } from './ports.js';

export interface RoutingAccountsDeps {
  /** The router's per-account runtime state (cooldowns, in-flight, last error). */
  state: AccountStateStore;
  pauses: AccountPauses;
  /** Why an account cannot serve at all (adapter and credential checks), or null. */
  unservable: (account: AccountSpec) => string | null;
  /** Quota windows last reported upstream; absent = none known. */
  quota?: (accountId: string) => readonly QuotaWindowView[];
}

/** The AccountsPort over the router's state and the pause overrides (wired by main.ts). */
export function routingAccounts(deps: RoutingAccountsDeps): AccountsPort {
  return {
    state(account: AccountSpec, now: number): AccountLiveState {
      const runtime = deps.state.peek(account.id);
      const cooling = runtime !== undefined && runtime.cooldownUntil > now;
      return {
        unavailableReason: deps.unservable(account),
        pause: deps.pauses.get(account.id),
        cooldown: cooling ? { until: runtime.cooldownUntil, reason: runtime.cooldownReason, rateLimited: runtime.cooldownKind === 'rate_limited' } : null,
        inFlight: runtime?.inflight ?? 0,
        lastError: runtime?.lastError ? { message: runtime.lastError, at: runtime.lastErrorAt } : null,
        lastUsedAt: runtime?.lastUsedAt ?? null,
        quota: deps.quota?.(account.id) ?? [],
      };
    },
    pause: (accountId, reason) => deps.pauses.pause(accountId, reason),
    resume: (accountId) => deps.pauses.resume(accountId),
    async clearCooldown(accountId) {
      // The router's success path is exactly "forget the failure streak and the cooldown", so an
      // admin clearing a cooldown also restarts the backoff from the beginning.
      deps.state.recordSuccess(accountId);
    },
  };
}
