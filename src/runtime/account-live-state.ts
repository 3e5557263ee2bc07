/**
 * An account's live state as one instance sees it, in plain data: what the admin API shows and
 * what `account.changed` events carry between instances (so it must survive JSON).
 */

/** A quota window as reported upstream (Codex `x-codex-primary-*` headers and the like). */
export interface QuotaWindowView {
  name: string;
  usedPercent: number | null;
  windowMinutes: number | null;
  /** Epoch ms. */
  resetsAt: number | null;
}

export interface AccountPauseView {
  /** Epoch ms. */
  since: number;
  reason: string | null;
}

/** One account's state in this instance, outside the config. */
export interface AccountLiveState {
  /** Why the account cannot serve at all (e.g. missing credentials); null when it can. */
  unavailableReason: string | null;
  pause: AccountPauseView | null;
  cooldown: { until: number; reason: string | null; rateLimited: boolean } | null;
  inFlight: number;
  lastError: { message: string; at: number | null } | null;
  /** Epoch ms. */
  lastUsedAt: number | null;
  quota: readonly QuotaWindowView[];
}

/** Internal values of the SDL's AccountStatus enum. */
export type AccountStatusValue = 'available' | 'disabled' | 'paused' | 'cooling_down' | 'unavailable';

export type AccountChangeValue = 'status' | 'cooldown' | 'pause' | 'quota' | 'error' | 'config';

/** A change of one account's state on one instance. */
export interface AccountChange {
  accountId: string;
  changes: AccountChangeValue[];
  previousStatus: AccountStatusValue | null;
  /** Null when the account was removed from the config. */
  status: AccountStatusValue | null;
  /** Null when the account was removed. */
  state: AccountLiveState | null;
  /** Epoch ms. */
  at: number;
}
