import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LimiterPool } from '../../src/limits/limiter-pool.js';
import type { LimiterBackend } from '../../src/limits/limiter-backend.js';
import { ConcurrencySlots } from '../../src/limits/concurrency-slots.js';
import { limitSubject, PolicyEngine } from '../../src/limits/policy-engine.js';
import { applicablePolicies } from '../../src/limits/policy-math.js';
import { eventually, limitsConfig, snapshotOf } from './snapshot-fixture.js';

/**
 * The behaviour every limiter backend must have, run over memory, SQLite, MySQL and Redis.
 * `open` builds a fresh backend (unique key prefix / table per run); `close` cleans it up.
 */
export function describeLimiterBackend(name: string, open: () => Promise<LimiterBackend>): void {
  describe(`limiter backend conformance: ${name}`, () => {
    let backend: LimiterBackend;
    const run = `r${Date.now().toString(36)}${Math.random().toString(36).slice(2, 6)}`;
    beforeAll(async () => {
      backend = await open();
    });
    afterAll(async () => {
      await backend?.close();
    });
    const counter = (label: string, windowSec = 60) => backend.counter(`${run}-${label}`, windowSec);

    it('counts atomically under concurrent adds and reports the window', async () => {
      const c = counter('atomic');
      const results = await Promise.all(Array.from({ length: 40 }, () => c.add('k', 1)));
      expect(results.map((r) => r.used).sort((a, b) => a - b)).toEqual(Array.from({ length: 40 }, (_, i) => i + 1));
      const state = await c.peek('k');
      expect(state.used).toBe(40);
      expect(state.resetMs).toBeGreaterThan(50_000);
      expect(state.resetMs).toBeLessThanOrEqual(60_000);
    });

    it('reads an unknown key as empty, keeps keys and limiters apart, takes points back', async () => {
      const a = counter('apart-a');
      const b = counter('apart-b');
      expect(await a.peek('nobody')).toEqual({ used: 0, resetMs: 0 });
      await a.add('k1', 7);
      await a.add('k2', 2);
      await b.add('k1', 100);
      expect((await a.peek('k1')).used).toBe(7);
      expect((await a.peek('k2')).used).toBe(2);
      expect((await b.peek('k1')).used).toBe(100);
      await a.subtract('k1', 3);
      expect((await a.peek('k1')).used).toBe(4);
    });

    it('adds large integer amounts exactly (micro-USD, token counts)', async () => {
      const c = counter('large');
      await c.add('k', 1_999_999_999);
      await c.add('k', 1);
      expect((await c.peek('k')).used).toBe(2_000_000_000);
    });

    it('resets a key when its window ends', async () => {
      const c = counter('expiry', 1);
      await c.add('k', 5);
      expect((await c.peek('k')).used).toBe(5);
      await eventually(async () => (await c.peek('k')).used === 0, 5_000);
      expect((await c.add('k', 1)).used).toBe(1);
    });

    it('admits requests up to the limit, refuses without counting the refusal, and a changed limit keeps the counts', async () => {
      const yaml = (limit: number) =>
        limitsConfig(`policies:\n  - { id: p-${run}, requests: { limit: ${limit}, per: 2s }, tokens: { limit: 100, per: 1m } }\nkeys:\n  - { id: k, key: "sk-clb-conformance-key-0001", policies: [p-${run}] }\n`);
      const engine = new PolicyEngine(new LimiterPool(backend), new ConcurrencySlots());
      const snap = snapshotOf(yaml(3));
      const policies = applicablePolicies(snap, ['p-' + run], 'gpt-4o');
      const subject = limitSubject('key', `k-${run}`);
      const outcomes = [];
      for (let i = 0; i < 5; i++) outcomes.push((await engine.admit(subject, policies)).ok);
      expect(outcomes).toEqual([true, true, true, false, false]);

      // The limit raised to 4 in a reload: same fingerprint, so the 3 already counted stay.
      const raised = snapshotOf(yaml(4), 2);
      expect(raised.policies.get('p-' + run)?.fingerprint).toBe(snap.policies.get('p-' + run)?.fingerprint);
      const raisedPolicies = applicablePolicies(raised, ['p-' + run], 'gpt-4o');
      expect((await engine.admit(subject, raisedPolicies)).ok).toBe(true);
      const refused = await engine.admit(subject, raisedPolicies);
      expect(refused.ok).toBe(false);
      if (!refused.ok) {
        expect(refused.refusal.dimension).toBe('requests');
        expect(refused.refusal.used).toBe(4);
        expect(refused.refusal.resetMs).toBeGreaterThan(0);
        expect(refused.refusal.resetMs).toBeLessThanOrEqual(2_000);
      }
      // After the window, the full limit is there again: the refusals were never counted.
      await eventually(async () => {
        const probe = await engine.admit(subject, raisedPolicies);
        return probe.ok;
      }, 6_000);
    });

    it('charges token budgets with actual usage: one request overshoots, the next is refused', async () => {
      const snap = snapshotOf(limitsConfig(`policies:\n  - { id: t-${run}, tokens: { limit: 100, per: 1m } }\n`));
      const engine = new PolicyEngine(new LimiterPool(backend), new ConcurrencySlots());
      const policies = applicablePolicies(snap, ['t-' + run], 'gpt-4o');
      const subject = limitSubject('key', `t-${run}`);
      const first = await engine.admit(subject, policies);
      expect(first.ok).toBe(true);
      if (first.ok) await first.grant.charge({ inputTokens: 90, outputTokens: 60, costMicroUsd: null });
      const second = await engine.admit(subject, policies);
      expect(second.ok).toBe(false);
      if (!second.ok) {
        expect(second.refusal.dimension).toBe('tokens');
        expect(second.refusal.used).toBe(150);
      }
    });
  });
}
