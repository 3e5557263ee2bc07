import { describe, expect, it } from 'vitest';
import { ConcurrencySlots } from '../../src/limits/concurrency-slots.js';
import type { LimiterBackend } from '../../src/limits/limiter-backend.js';
import { LimiterPool } from '../../src/limits/limiter-pool.js';
import { MemoryWindowCounter } from '../../src/limits/memory-window-counter.js';
import { limitSubject, PolicyEngine } from '../../src/limits/policy-engine.js';
import { applicablePolicies } from '../../src/limits/policy-math.js';
import type { CounterState, WindowCounter } from '../../src/limits/window-counter.js';
import { limitsConfig, snapshotOf } from './snapshot-fixture.js';

/**
 * The engine over counters of both shapes: in-memory ones answer at once, a shared store's with
 * a promise, and a store can fail. Real memory counters; the "store" is one of them answering
 * later (or refusing), which is what the engine sees of Redis or SQL.
 */
class LaterCounter implements WindowCounter {
  failing = false;
  constructor(readonly inner: MemoryWindowCounter) {}
  add(key: string, points: number): Promise<CounterState> {
    return this.later(() => this.inner.add(key, points));
  }
  peek(key: string): Promise<CounterState> {
    return this.later(() => this.inner.peek(key));
  }
  subtract(key: string, points: number): Promise<void> {
    return this.later(() => this.inner.subtract(key, points));
  }
  private later<T>(f: () => T): Promise<T> {
    return new Promise((resolve, reject) => setImmediate(() => (this.failing ? reject(new Error('store down')) : resolve(f()))));
  }
}

function setup() {
  const tokens = new LaterCounter(new MemoryWindowCounter(60));
  const requests = new MemoryWindowCounter(60);
  // Requests counted in memory (at once), tokens in a "store" (later).
  const backend: LimiterBackend = {
    kind: 'memory',
    description: 'mixed',
    counter: (name) => (name.endsWith(':tokens') ? tokens : requests),
    close: async () => undefined,
  };
  const slots = new ConcurrencySlots();
  const engine = new PolicyEngine(new LimiterPool(backend), slots);
  const snap = snapshotOf(limitsConfig('policies:\n  - { id: p, requests: { limit: 5, per: 1m }, tokens: { limit: 100, per: 1m }, concurrency: 2 }\n'));
  const policies = applicablePolicies(snap, ['p'], 'gpt-4o');
  const fingerprint = snap.policies.get('p')!.fingerprint;
  return { engine, slots, tokens, requests, policies, fingerprint, subject: limitSubject('key', 'k') };
}

describe('policy engine over counters that answer now and later', () => {
  it('admits with a promise when a counter answers later, and charges through it', async () => {
    const { engine, policies, subject, requests } = setup();
    const admission = engine.admit(subject, policies);
    expect(admission).toBeInstanceOf(Promise);
    const admitted = await admission;
    expect(admitted.ok).toBe(true);
    if (!admitted.ok) return;
    expect(requests.peek('key:k').used).toBe(1);
    const exhausted = await admitted.grant.charge({ inputTokens: 80, outputTokens: 30, costMicroUsd: null });
    expect(exhausted.map((e) => e.dimension)).toEqual(['tokens']);
    admitted.grant.release();
    const refused = await engine.admit(subject, policies);
    expect(refused.ok).toBe(false);
    if (!refused.ok) expect(refused.refusal.dimension).toBe('tokens');
    // The refused request was taken back: one counted, not two.
    expect(requests.peek('key:k').used).toBe(1);
  });

  it('when a store fails, takes back the request counted and frees the slot, then rethrows', async () => {
    const { engine, policies, subject, requests, tokens, slots, fingerprint } = setup();
    tokens.failing = true;
    await expect(Promise.resolve(engine.admit(subject, policies))).rejects.toThrow('store down');
    expect(requests.peek('key:k').used).toBe(0);
    expect(slots.count(fingerprint, 'key:k')).toBe(0);
    tokens.failing = false;
    const again = await engine.admit(subject, policies);
    expect(again.ok).toBe(true);
    expect(slots.count(fingerprint, 'key:k')).toBe(1);
  });

  it('refuses at the concurrency limit without counting, and a second release frees nothing', async () => {
    const { engine, policies, subject, requests, slots, fingerprint } = setup();
    const a = await engine.admit(subject, policies);
    const b = await engine.admit(subject, policies);
    const c = await engine.admit(subject, policies);
    expect([a.ok, b.ok, c.ok]).toEqual([true, true, false]);
    if (!c.ok) expect(c.refusal.dimension).toBe('concurrency');
    expect(requests.peek('key:k').used).toBe(2);
    if (a.ok) {
      a.grant.release();
      a.grant.release();
    }
    expect(slots.count(fingerprint, 'key:k')).toBe(1);
  });
});
