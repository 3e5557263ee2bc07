import type { Clock } from '../shared/clock.js';
import { cooldownMs, type AccountFailure, type FailureKind } from './cooldown-policy.js';

/** What the router knows about one account at runtime. Lives outside the config snapshot. */
export interface AccountState {
  readonly id: string;
  /** Epoch ms until which the account is not offered; 0 when it is not cooling down. */
  cooldownUntil: number;
  cooldownReason: string | null;
  cooldownKind: FailureKind | null;
  consecutiveFailures: number;
  inflight: number;
  lastError: string | null;
  lastErrorAt: number | null;
  lastUsedAt: number | null;
}

export interface Availability {
  available: boolean;
  /** Why not, when not available. */
  reason: string | null;
  /** Ms until the cooldown ends (0 when available). */
  retryInMs: number;
  rateLimited: boolean;
}

/**
 * A cooldown as instances share it: started or extended (`until` in epoch ms) or ended
 * (`until` 0). Per-instance counters (in-flight, failure streak) are not part of it.
 */
export interface CooldownChange {
  accountId: string;
  until: number;
  kind: FailureKind | null;
  reason: string | null;
}

export type CooldownListener = (change: CooldownChange) => void;

const AVAILABLE: Availability = Object.freeze({ available: true, reason: null, retryInMs: 0, rateLimited: false });

/**
 * Runtime state of every account, keyed by account id, so it survives config reloads: an account
 * that is cooling down keeps cooling when gateway.yaml is edited. Plain data plus a clock.
 */
export class AccountStateStore {
  private readonly states = new Map<string, AccountState>();
  private readonly listeners = new Set<CooldownListener>();

  constructor(
    private readonly clock: Clock,
    /** Told of every failure recorded (metrics count upstream errors here, where all of them pass). */
    private readonly onFailure: (id: string, failure: AccountFailure) => void = () => {},
  ) {}

  /** Hears every cooldown this instance starts, extends or ends (the cluster shares them); returns the unsubscribe. */
  onCooldown(listener: CooldownListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /**
   * Applies a cooldown another instance started or ended, without telling the listeners (it came
   * from them). A longer local cooldown is kept; an end clears the failure streak too, since the
   * account served well elsewhere.
   */
  applyShared(change: CooldownChange): void {
    const state = this.get(change.accountId);
    if (change.until === 0) {
      state.consecutiveFailures = 0;
      state.cooldownUntil = 0;
      state.cooldownReason = null;
      state.cooldownKind = null;
    } else if (change.until > state.cooldownUntil) {
      state.cooldownUntil = change.until;
      state.cooldownKind = change.kind;
      state.cooldownReason = change.reason;
    }
  }

  get(id: string): AccountState {
    let state = this.states.get(id);
    if (state === undefined) {
      state = {
        id,
        cooldownUntil: 0,
        cooldownReason: null,
        cooldownKind: null,
        consecutiveFailures: 0,
        inflight: 0,
        lastError: null,
        lastErrorAt: null,
        lastUsedAt: null,
      };
      this.states.set(id, state);
    }
    return state;
  }

  /** Read-only view for the admin API and tests; unknown ids are not created. */
  peek(id: string): Readonly<AccountState> | undefined {
    return this.states.get(id);
  }

  availability(id: string, now = this.clock.now()): Availability {
    const state = this.states.get(id);
    if (state === undefined || state.cooldownUntil <= now) return AVAILABLE;
    return {
      available: false,
      reason: state.cooldownReason,
      retryInMs: state.cooldownUntil - now,
      rateLimited: state.cooldownKind === 'rate_limited',
    };
  }

  /** An attempt starts on the account: counts toward least_inflight. Pair with `release`. */
  acquire(id: string): void {
    const state = this.get(id);
    state.inflight += 1;
    state.lastUsedAt = this.clock.now();
  }

  release(id: string): void {
    const state = this.get(id);
    if (state.inflight > 0) state.inflight -= 1;
  }

  recordSuccess(id: string): void {
    const state = this.get(id);
    if (state.consecutiveFailures === 0 && state.cooldownUntil === 0) return;
    const wasCooling = state.cooldownUntil > this.clock.now();
    state.consecutiveFailures = 0;
    state.cooldownUntil = 0;
    state.cooldownReason = null;
    state.cooldownKind = null;
    if (wasCooling) this.notify({ accountId: id, until: 0, kind: null, reason: null });
  }

  /** Counts the failure and starts (or extends) the cooldown the policy asks for. Returns its length. */
  recordFailure(id: string, failure: AccountFailure): number {
    const now = this.clock.now();
    const state = this.get(id);
    state.consecutiveFailures += 1;
    state.lastError = failure.message;
    state.lastErrorAt = now;
    const ms = cooldownMs(failure, state.consecutiveFailures);
    if (ms > 0 && now + ms > state.cooldownUntil) {
      state.cooldownUntil = now + ms;
      state.cooldownKind = failure.kind;
      state.cooldownReason = failure.message;
      this.notify({ accountId: id, until: state.cooldownUntil, kind: failure.kind, reason: failure.message });
    }
    this.onFailure(id, failure);
    return ms;
  }

  /** Forgets accounts no longer configured (called after a reload); in-flight ones are kept. */
  retain(ids: ReadonlySet<string>): void {
    for (const [id, state] of this.states) if (!ids.has(id) && state.inflight === 0) this.states.delete(id);
  }

  list(): readonly Readonly<AccountState>[] {
    return [...this.states.values()];
  }

  private notify(change: CooldownChange): void {
    // A listener's failure (e.g. Redis) must never fail the request that caused the change.
    for (const listener of this.listeners) {
      try {
        listener(change);
      } catch {
        // the listener reports its own problems
      }
    }
  }
}
