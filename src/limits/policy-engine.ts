import type { PolicySpec } from '../runtime/snapshot.js';
import type { ConcurrencySlots } from './concurrency-slots.js';
import type { BudgetProbe, LimiterPool } from './limiter-pool.js';
import { chargeUnits, type BudgetDimension, type ChargeableUsage } from './policy-math.js';
import { isPromise, type MaybePromise } from '../shared/maybe-promise.js';
import type { CounterState } from './window-counter.js';

/** Who is counted: a client key or an upstream account. Each has its own counters per policy. */
export interface LimitSubject {
  readonly kind: 'key' | 'account';
  readonly id: string;
  /** The subject's key in every counter and slot: `key:<id>` or `account:<id>`. */
  readonly counterKey: string;
}

export function limitSubject(kind: LimitSubject['kind'], id: string): LimitSubject {
  return { kind, id, counterKey: `${kind}:${id}` };
}

/** One budget of one policy as seen by an admission. */
export interface BudgetReading {
  readonly policy: PolicySpec;
  readonly dimension: BudgetDimension;
  /** In counter units (micro-USD for cost). */
  readonly limit: number;
  /** `limit` as a header value, made once per policy. */
  readonly limitText: string;
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

  /** Synchronous when every counter is (in-memory policies): no promise, no microtask turn. */
  admit(subject: LimitSubject, policies: readonly PolicySpec[]): MaybePromise<Admission> {
    const key = subject.counterKey;
    const held: string[] = [];
    for (const policy of policies) {
      if (policy.concurrency === undefined) continue;
      if (!this.slots.tryAcquire(policy.fingerprint, key, policy.concurrency)) {
        this.releaseAll(key, held);
        const used = this.slots.count(policy.fingerprint, key);
        const refusal: Refusal = { subject, policy, dimension: 'concurrency', limit: policy.concurrency, used, resetMs: null, readings: [] };
        return { ok: false, refusal };
      }
      held.push(policy.fingerprint);
    }

    const probes: BudgetProbe[] = [];
    const answers: MaybePromise<CounterState>[] = [];
    let pending = false;
    for (const policy of policies) {
      for (const probe of this.pool.probes(policy)) {
        const answer = probe.dimension === 'requests' ? probe.counter.add(key, 1) : probe.counter.peek(key);
        if (isPromise(answer)) pending = true;
        probes.push(probe);
        answers.push(answer);
      }
    }
    if (!pending) return this.decide(subject, key, probes, answers as CounterState[], held);
    return Promise.all(answers).then(
      (states) => this.decide(subject, key, probes, states, held),
      async (error: unknown) => {
        // A store failed: take back the requests that were counted (the rest settle meanwhile).
        const settled = await Promise.allSettled(answers);
        await this.undoRequests(key, probes, (i) => settled[i].status === 'fulfilled');
        this.releaseAll(key, held);
        throw error;
      },
    );
  }

  private decide(subject: LimitSubject, key: string, probes: readonly BudgetProbe[], states: readonly CounterState[], held: readonly string[]): MaybePromise<Admission> {
    const readings = probes.map((probe, i): BudgetReading => {
      const state = states[i];
      return { policy: probe.policy, dimension: probe.dimension, limit: probe.limit, limitText: probe.limitText, used: state.used, resetMs: state.resetMs };
    });

    let worst: BudgetReading | null = null;
    for (const r of readings) {
      const over = r.dimension === 'requests' ? r.used > r.limit : r.used >= r.limit;
      // The request can only pass once every exhausted budget has reset: report the last one.
      if (over && (worst === null || r.resetMs > worst.resetMs)) worst = r;
    }
    if (worst === null) {
      const charges = probes.filter((p) => p.dimension !== 'requests');
      return { ok: true, grant: new PolicyGrant(key, readings, charges, held, this.slots) };
    }
    const undo = this.undoRequests(key, probes, () => true);
    this.releaseAll(key, held);
    const undone = readings.map((r) => (r.dimension === 'requests' ? { ...r, used: r.used - 1 } : r));
    const shown = undone[readings.indexOf(worst)];
    const refused: Admission = {
      ok: false,
      refusal: { subject, policy: shown.policy, dimension: shown.dimension, limit: shown.limit, used: shown.used, resetMs: shown.resetMs, readings: undone },
    };
    // The refusal is answered once the take-back is stored, so a retry right after sees it.
    return isPromise(undo) ? undo.then(() => refused) : refused;
  }

  /** Takes back the request counted by each `requests` probe for which `counted(i)` holds. */
  private undoRequests(key: string, probes: readonly BudgetProbe[], counted: (i: number) => boolean): MaybePromise<void> {
    let undo: Promise<void>[] | null = null;
    probes.forEach((probe, i) => {
      if (probe.dimension !== 'requests' || !counted(i)) return;
      const done = probe.counter.subtract(key, 1);
      if (isPromise(done)) (undo ??= []).push(done);
    });
    if (undo !== null) return Promise.allSettled(undo).then(() => undefined);
  }

  /** Gives back the slots of `policies` (fingerprints) that `key` holds. */
  private releaseAll(key: string, policies: readonly string[]): void {
    for (const policy of policies) this.slots.release(policy, key);
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
    /** Fingerprints of the policies whose concurrency slot the request holds. */
    private readonly slotsHeld: readonly string[],
    private readonly slots: ConcurrencySlots,
  ) {}

  /**
   * Adds the request's actual usage to its token and cost budgets; returns the budgets now used
   * up. Synchronous when every counter is.
   */
  charge(usage: ChargeableUsage): MaybePromise<Exhausted[]> {
    const exhausted: Exhausted[] = [];
    if (this.charged) return exhausted;
    this.charged = true;
    let adds: Promise<void>[] | null = null;
    for (const probe of this.charges) {
      const points = chargeUnits(probe.dimension, usage);
      if (points <= 0) continue;
      const state = probe.counter.add(this.key, points);
      if (isPromise(state)) (adds ??= []).push(state.then((s) => noteExhausted(exhausted, probe, s)));
      else noteExhausted(exhausted, probe, state);
    }
    return adds === null ? exhausted : Promise.all(adds).then(() => exhausted);
  }

  /** Gives the concurrency slots back; safe to call from every way a request can end. */
  release(): void {
    if (this.released) return;
    this.released = true;
    for (const policy of this.slotsHeld) this.slots.release(policy, this.key);
  }
}

function noteExhausted(exhausted: Exhausted[], probe: BudgetProbe, state: CounterState): void {
  if (state.used >= probe.limit) exhausted.push({ policy: probe.policy, dimension: probe.dimension, resetMs: state.resetMs });
}
