import { RateLimiterRes, type RateLimiterAbstract } from 'rate-limiter-flexible';
import type { MaybePromise } from '../shared/maybe-promise.js';

/** Points used in the current window of one key, and when that window ends. */
export interface CounterState {
  readonly used: number;
  /** Ms until the window resets; 0 when nothing is counted. */
  readonly resetMs: number;
}

/**
 * A fixed-window counter of points per key. It only counts: whether the count is too high is
 * decided by the policy engine against the snapshot's limit, which is why a limit edited in
 * gateway.yaml applies to the counts already in the window.
 *
 * The in-memory counter answers synchronously: every limited request makes several counter
 * operations, and a promise (plus a turn of the microtask queue) for each was most of what the
 * limits cost on the hot path. Callers handle both shapes (`isPromise`).
 */
export interface WindowCounter {
  /** Adds points (atomic in every store) and returns the state after adding. */
  add(key: string, points: number): MaybePromise<CounterState>;
  peek(key: string): MaybePromise<CounterState>;
  /** Takes points back (an admission that was refused after all). */
  subtract(key: string, points: number): MaybePromise<void>;
}

export const EMPTY_COUNTER: CounterState = Object.freeze({ used: 0, resetMs: 0 });

/** A counter over one rate-limiter-flexible limiter of a shared store (Redis, SQL). */
export class LimiterWindowCounter implements WindowCounter {
  constructor(private readonly limiter: RateLimiterAbstract) {}

  add(key: string, points: number): Promise<CounterState> {
    // A limiter rejects with its result once consumed > points; the points are counted all the
    // same. UNBOUNDED_POINTS makes that unreachable, this keeps it correct if it ever is not.
    // (One `then` rather than catch + await: every request makes several of these.)
    return this.limiter.consume(key, points).then(stateOf, (error: unknown) => stateOf(counted(error)));
  }

  peek(key: string): Promise<CounterState> {
    return this.limiter.get(key).then(peeked);
  }

  async subtract(key: string, points: number): Promise<void> {
    await this.limiter.reward(key, points);
  }
}

function counted(error: unknown): RateLimiterRes {
  if (error instanceof RateLimiterRes) return error;
  throw error;
}

function peeked(res: RateLimiterRes | null): CounterState {
  return res === null ? EMPTY_COUNTER : stateOf(res);
}

export function stateOf(res: RateLimiterRes): CounterState {
  return { used: Math.max(0, Number(res.consumedPoints)), resetMs: Math.max(0, res.msBeforeNext) };
}
