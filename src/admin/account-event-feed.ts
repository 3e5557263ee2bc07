import { isDeepStrictEqual } from 'node:util';
import type { AccountChange, AccountChangeValue, AccountStatusValue } from '../runtime/account-live-state.js';
import { accountNode, accountStatus, type AccountNode } from './account-view.js';
import type { AdminDeps } from './ports.js';
import { newScope } from './scope.js';

export type { AccountChangeValue } from '../runtime/account-live-state.js';

export interface AccountEventPayload {
  instanceId: string;
  accountId: string;
  changes: AccountChangeValue[];
  previousStatus: AccountStatusValue | null;
  status: AccountStatusValue | null;
  account: AccountNode | null;
  at: number;
}

interface Sample {
  status: AccountStatusValue;
  cooldownUntil: number | null;
  pause: unknown;
  quota: unknown;
  lastError: unknown;
  config: unknown;
}

/**
 * Turns account state into `accountEvents`. The router, limiters and quota readers change that
 * state in many places without telling anyone, so rather than threading events through all of
 * them this feed samples every account (cheap: in-memory reads) while at least one client
 * listens, and publishes what differs from the previous sample. Mutations and reloads `poke` it
 * so their effect is published at once rather than on the next tick. In a cluster it samples all
 * the time and puts each change on the bus (`account.changed`), for the relay to hand to the
 * other instances' subscribers; `remotePayload` turns theirs into this API's shape.
 */
export class AccountEventFeed {
  private readonly listeners = new Set<(event: AccountEventPayload) => void>();
  private previous = new Map<string, Sample>();
  private timer: NodeJS.Timeout | null = null;
  private readonly offApplied: () => void;

  constructor(private readonly deps: AdminDeps) {
    this.offApplied = deps.bus.subscribe('config.applied', () => this.poke());
    if (deps.cluster !== undefined) this.start();
  }

  subscribe(listener: (event: AccountEventPayload) => void): () => void {
    if (!this.running) this.start();
    this.listeners.add(listener);
    return () => {
      this.listeners.delete(listener);
      if (this.listeners.size === 0 && this.deps.cluster === undefined) this.stop();
    };
  }

  /** Samples now (after a pause, a cooldown cleared, a reload). */
  poke(): void {
    if (this.running) this.sample(true);
  }

  /** Another instance's change, with this instance's view of the account's config. */
  remotePayload(instanceId: string, change: AccountChange): AccountEventPayload {
    const scope = newScope(this.deps);
    const spec = scope.snapshot.accounts.get(change.accountId);
    const account = spec === undefined || change.state === null ? null : { scope, spec, state: change.state };
    return { instanceId, accountId: change.accountId, changes: change.changes, previousStatus: change.previousStatus, status: change.status, account, at: change.at };
  }

  private get running(): boolean {
    return this.timer !== null;
  }

  close(): void {
    this.offApplied();
    this.listeners.clear();
    this.stop();
  }

  private start(): void {
    this.sample(false);
    this.timer = setInterval(() => this.sample(true), this.deps.accountSampleMs ?? 1000);
    this.timer.unref();
  }

  private stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    this.previous.clear();
  }

  private sample(publish: boolean): void {
    const scope = newScope(this.deps);
    const next = new Map<string, Sample>();
    const nodes = new Map<string, AccountNode>();
    for (const spec of scope.snapshot.accounts.values()) {
      const node = accountNode(scope, spec);
      nodes.set(spec.id, node);
      const { state } = node;
      next.set(spec.id, {
        status: accountStatus(spec, state, scope.now),
        cooldownUntil: state.cooldown !== null && state.cooldown.until > scope.now ? state.cooldown.until : null,
        pause: state.pause,
        quota: state.quota,
        lastError: state.lastError,
        config: spec.config,
      });
    }
    const before = this.previous;
    this.previous = next;
    if (!publish) return;
    const emit = (event: AccountEventPayload) => {
      for (const listener of this.listeners) listener(event);
      const change: AccountChange = { accountId: event.accountId, changes: event.changes, previousStatus: event.previousStatus, status: event.status, state: event.account?.state ?? null, at: event.at };
      this.deps.bus.publish('account.changed', change);
    };
    const base = { instanceId: this.deps.instanceId, at: scope.now };
    for (const [id, now] of next) {
      const old = before.get(id);
      const changes = old === undefined ? (['config', 'status'] as AccountChangeValue[]) : diff(old, now);
      if (changes.length === 0) continue;
      emit({ ...base, accountId: id, changes, previousStatus: old?.status ?? null, status: now.status, account: nodes.get(id) ?? null });
    }
    for (const [id, old] of before) {
      if (!next.has(id)) emit({ ...base, accountId: id, changes: ['config', 'status'], previousStatus: old.status, status: null, account: null });
    }
  }
}

function diff(a: Sample, b: Sample): AccountChangeValue[] {
  const changes: AccountChangeValue[] = [];
  if (a.status !== b.status) changes.push('status');
  if (a.cooldownUntil !== b.cooldownUntil) changes.push('cooldown');
  if (!isDeepStrictEqual(a.pause, b.pause)) changes.push('pause');
  if (!isDeepStrictEqual(a.quota, b.quota)) changes.push('quota');
  if (!isDeepStrictEqual(a.lastError, b.lastError)) changes.push('error');
  if (a.config !== b.config && !isDeepStrictEqual(a.config, b.config)) changes.push('config');
  return changes;
}
