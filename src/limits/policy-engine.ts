import type { PolicySpec } from '../runtime/snapshot.js';
import type { ConcurrencySlots } from './concurrency-slots.js';
import type { BudgetProbe, LimiterPool } from './limiter-pool.js';
import { chargeUnits, type BudgetDimension, type ChargeableUsage } from './policy-math.js';
import type { CounterState } from './window-counter.js';

/** Who is counted: a client key or an upstream account. Each has its own counters per policy. */
export interface LimitSubject {
  readonly kind: 'key' | 'account';
  readonly id: string;
}

/** One budget of one policy as seen by an admission. */
export interface BudgetReading {
  readonly policy: PolicySpec;
  readonly dimension: BudgetDimension;
  /** In counter units (micro-USD for cost). */
  readonly limit: number;
  /** Used in the window, this request included for `requests`. */
  readonly used: number;
  readonly resetMs: number;
}

export interface Refusal {
  readonly subject: LimitSubject;
  readonly policy: PolicySpec;
  readonly dimension: BudgetDimension | 'concurrency';
  readonly limit: number;
  readonly used: number;
  /** Null for concurrency: a slot frees when a request ends, not at a known time. */
  readonly resetMs: number | null;
  readonly readings: readonly BudgetReading[];
}

/** A budget that a finished request used up: the subject is refused until `resetMs`. */
export interface Exhausted {
  readonly policy: PolicySpec;
  readonly dimension: BudgetDimension;
  readonly resetMs: number;
}

export type Admission = { readonly ok: true; readonly grant: PolicyGrant } | { readonly ok: false; readonly refusal: Refusal };

/**
 * Admits a request against a subject's policies. Requests are counted at admission (an atomic
 * add, then compared with the limit; a refused request is taken back, so a refusal never counts);
 * token and cost budgets are only read at admission — they refuse once used up — and charged
 * with the actual usage when the request ends, so one request may overshoot a budget and the
 * next one is refused. Concurrency slots are held until the grant is released.
 */
export class PolicyEngine {
  constructor(
    private readonly pool: LimiterPool,
    private readonly slots: ConcurrencySlots,
  ) {}

  async admit(subject: LimitSubject, policies: readonly PolicySpec[]): Promise<Admission> {
    const key = `${subject.kind}:${subject.id}`;
    const held: string[] = [];
    for (const policy of policies) {
      if (policy.concurrency === undefined) continue;
      const slot = `${policy.fingerprint}|${key}`;
      if (!this.slots.tryAcquire(slot, policy.concurrency)) {
        for (const h of held) this.slots.release(h);
        const refusal: Refusal = { subject, policy, dimension: 'concurrency', limit: policy.concurrency, used: this.slots.count(slot), resetMs: null, readings: [] };
        return { ok: false, refusal };
      }
      held.push(slot);
    }

    const probes: BudgetProbe[] = [];
    const pending: Promise<CounterState>[] = [];
    for (const policy of policies) {
      for (const probe of this.pool.probes(policy)) {
        probes.push(probe);
        pending.push(probe.dimension === 'requests' ? probe.counter.add(key, 1) : probe.counter.peek(key));
      }
    }
    let states: CounterState[];
    try {
      states = await Promise.all(pending);
    } catch (error) {
      // A store failed: take back the requests that were counted (the rest settle meanwhile).
      const settled = await Promise.allSettled(pending);
      await this.undoRequests(key, probes, (i) => settled[i].status === 'fulfilled');
      for (const h of held) this.slots.release(h);
      throw error;
    }
    const readings = probes.map((probe, i): BudgetReading => {
      const state = states[i];
      return { policy: probe.policy, dimension: probe.dimension, limit: probe.limit, used: state.used, resetMs: state.resetMs };
    });

    let worst: BudgetReading | null = null;
    for (const r of readings) {
      const over = r.dimension === 'requests' ? r.used > r.limit : r.used >= r.limit;
      // The request can only pass once every exhausted budget has reset: report the last one.
      if (over && (worst === null || r.resetMs > worst.resetMs)) worst = r;
    }
    if (worst !== null) {
      await this.undoRequests(key, probes, () => true);
      for (const h of held) this.slots.release(h);
      const undone = readings.map((r) => (r.dimension === 'requests' ? { ...r, used: r.used - 1 } : r));
      const shown = undone[readings.indexOf(worst)];
      const refusal: Refusal = { subject, policy: shown.policy, dimension: shown.dimension, limit: shown.limit, used: shown.used, resetMs: shown.resetMs, readings: undone };
      return { ok: false, refusal };
    }
    const charges = probes.filter((p) => p.dimension !== 'requests');
    return { ok: true, grant: new PolicyGrant(key, readings, charges, held, this.slots) };
  }

  /** Takes back the request counted by each `requests` probe for which `counted(i)` holds. */
  private async undoRequests(key: string, probes: readonly BudgetProbe[], counted: (i: number) => boolean): Promise<void> {
    const undo: Promise<void>[] = [];
    probes.forEach((probe, i) => {
      if (probe.dimension === 'requests' && counted(i)) undo.push(probe.counter.subtract(key, 1));
    });
    await Promise.allSettled(undo);
  }
}

/** An admitted request's hold on a subject's policies: charge once, release once. */
export class PolicyGrant {
  private charged = false;
  private released = false;

  constructor(
    private readonly key: string,
    readonly readings: readonly BudgetReading[],
    private readonly charges: readonly BudgetProbe[],
    private readonly slotsHeld: readonly string[],
    private readonly slots: ConcurrencySlots,
  ) {}

  /** Adds the request's actual usage to its token and cost budgets; returns the budgets now used up. */
  async charge(usage: ChargeableUsage): Promise<Exhausted[]> {
    if (this.charged) return [];
    this.charged = true;
    const exhausted: Exhausted[] = [];
    const adds: Promise<void>[] = [];
    for (const probe of this.charges) {
      const points = chargeUnits(probe.dimension, usage);
      if (points <= 0) continue;
      adds.push(
        probe.counter.add(this.key, points).then((state) => {
          if (state.used >= probe.limit) exhausted.push({ policy: probe.policy, dimension: probe.dimension, resetMs: state.resetMs });
        }),
      );
    }
    if (adds.length > 0) await Promise.all(adds);
    return exhausted;
  }

  /** Gives the concurrency slots back; safe to call from every way a request can end. */
  release(): void {
    if (this.released) return;
    this.released = true;
    for (const slot of this.slotsHeld) this.slots.release(slot);
  }
}
