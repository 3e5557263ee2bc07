import type { AccountSpec } from '../runtime/snapshot.js';
import type { AccountLiveState, AccountStatusValue } from '../runtime/account-live-state.js';
import type { Scope } from './scope.js';

export type { AccountStatusValue } from '../runtime/account-live-state.js';

/** An account as resolvers see it: config, live state sampled once, and the operation's scope. */
export interface AccountNode {
  readonly scope: Scope;
  readonly spec: AccountSpec;
  readonly state: AccountLiveState;
}

export function accountNode(scope: Scope, spec: AccountSpec): AccountNode {
  return { scope, spec, state: scope.deps.accounts.state(spec, scope.now) };
}

/**
 * The first reason an account is not offered, in the order an operator acts on them: the config
 * switch, then a deliberate pause, then missing credentials, then a (temporary) cooldown.
 */
export function accountStatus(spec: AccountSpec, state: AccountLiveState, now: number): AccountStatusValue {
  if (!spec.enabled) return 'disabled';
  if (state.pause !== null) return 'paused';
  if (state.unavailableReason !== null) return 'unavailable';
  if (state.cooldown !== null && state.cooldown.until > now) return 'cooling_down';
  return 'available';
}

export function unavailableReason(spec: AccountSpec, state: AccountLiveState, now: number): string | null {
  switch (accountStatus(spec, state, now)) {
    case 'available':
      return null;
    case 'disabled':
      return 'disabled in gateway.yaml (enabled: false)';
    case 'paused':
      return `paused by an admin${state.pause?.reason ? `: ${state.pause.reason}` : ''}`;
    case 'unavailable':
      return state.unavailableReason;
    case 'cooling_down':
      return `cooling down until ${new Date(state.cooldown?.until ?? now).toISOString()}${state.cooldown?.reason ? `: ${state.cooldown.reason}` : ''}`;
  }
}
