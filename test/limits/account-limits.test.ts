import { describe, expect, it } from 'vitest';
import { MemoryLimiterBackend } from '../../src/limits/memory-backend.js';
import { RateLimits } from '../../src/limits/rate-limits.js';
import { systemClock } from '../../src/shared/clock.js';
import { captureLogs } from '../helpers/log-capture.js';
import { eventually, limitsConfig, snapshotOf } from './snapshot-fixture.js';

function setup(policies: string, accountPolicies: { a?: string[]; b?: string[] }) {
  const snap = snapshotOf(limitsConfig(`policies:\n${policies}\n`, { auth: false, accountPolicies }));
  const limits = new RateLimits({ backend: new MemoryLimiterBackend(), clock: systemClock, logger: captureLogs().logger });
  return { snap, limits, account: (id: string) => snap.accounts.get(id)!, model: (id: string) => snap.models.get(id)! };
}

describe('account policies', () => {
  it('count each attempt; at the limit the attempt is refused and the router sees the block with its reset', async () => {
    const { snap, limits, account, model } = setup('  - { id: burst, requests: { limit: 2, per: 2s } }', { a: ['burst'] });
    const verdicts = [];
    for (let i = 0; i < 3; i++) {
      const request = await limits.admit(snap, null, model('gpt-4o'));
      verdicts.push(await request.tryAccount(account('acct-a'), 'gpt-4o'));
      request.finish(null);
    }
    expect(verdicts.map((v) => v.ok)).toEqual([true, true, false]);
    const refused = verdicts[2];
    if (!refused.ok) {
      expect(refused.reason).toBe("policy 'burst' (requests)");
      expect(refused.retryInMs).toBeGreaterThan(0);
    }
    const block = limits.accountBlock(snap, 'acct-a', 'gpt-4o');
    expect(block?.reason).toMatch(/^policy 'burst': 2 requests per 2s \(resets in [12]s\)$/);
    expect(block?.retryInMs).toBeLessThanOrEqual(2_000);
    // Accounts without policies are never blocked.
    expect(limits.accountBlock(snap, 'acct-b', 'gpt-4o')).toBeNull();
    // The block ends with the window, and the account takes requests again.
    await eventually(() => limits.accountBlock(snap, 'acct-a', 'gpt-4o') === null);
    const again = await limits.admit(snap, null, model('gpt-4o'));
    expect((await again.tryAccount(account('acct-a'), 'gpt-4o')).ok).toBe(true);
    again.finish(null);
  });

  it('model-scoped account policies only block the account for those models', async () => {
    const { snap, limits, account, model } = setup('  - { id: o3-cap, requests: { limit: 1, per: 1m }, models: [o3] }', { a: ['o3-cap'] });
    const request = await limits.admit(snap, null, model('o3'));
    expect((await request.tryAccount(account('acct-a'), 'o3')).ok).toBe(true);
    expect((await request.tryAccount(account('acct-a'), 'o3')).ok).toBe(false);
    expect((await request.tryAccount(account('acct-a'), 'gpt-4o')).ok).toBe(true);
    request.finish(null);
    expect(limits.accountBlock(snap, 'acct-a', 'o3')).not.toBeNull();
    expect(limits.accountBlock(snap, 'acct-a', 'gpt-4o')).toBeNull();
  });

  it('token budgets are charged to the serving account; once used up the router skips it', async () => {
    const { snap, limits, account, model } = setup('  - { id: acct-tokens, tokens: { limit: 1000, per: 1m } }', { a: ['acct-tokens'], b: ['acct-tokens'] });
    const request = await limits.admit(snap, null, model('gpt-4o'));
    await request.tryAccount(account('acct-a'), 'gpt-4o');
    request.attemptFailed('acct-a');
    await request.tryAccount(account('acct-b'), 'gpt-4o');
    request.finish({ accountId: 'acct-b', usage: { inputTokens: 900, outputTokens: 200, cachedInputTokens: 0, reasoningTokens: 0 }, costMicroUsd: null });
    const block = await eventually(() => limits.accountBlock(snap, 'acct-b', 'gpt-4o'));
    expect(block.reason).toBe("policy 'acct-tokens': 1000 tokens per 1m used up");
    expect(limits.accountBlock(snap, 'acct-a', 'gpt-4o')).toBeNull();
  });

  it('concurrency is read live: the account is blocked while its slots are held, free once released', async () => {
    const { snap, limits, account, model } = setup('  - { id: one-at-a-time, concurrency: 1 }', { a: ['one-at-a-time'] });
    const first = await limits.admit(snap, null, model('gpt-4o'));
    expect((await first.tryAccount(account('acct-a'), 'gpt-4o')).ok).toBe(true);
    expect(limits.accountBlock(snap, 'acct-a', 'gpt-4o')?.reason).toBe("policy 'one-at-a-time': 1 requests in flight");
    const second = await limits.admit(snap, null, model('gpt-4o'));
    expect((await second.tryAccount(account('acct-a'), 'gpt-4o')).ok).toBe(false);
    second.finish(null);
    first.finish(null);
    expect(limits.accountBlock(snap, 'acct-a', 'gpt-4o')).toBeNull();
    // A failed attempt frees its slot at once, before the request ends.
    const third = await limits.admit(snap, null, model('gpt-4o'));
    await third.tryAccount(account('acct-a'), 'gpt-4o');
    third.attemptFailed('acct-a');
    expect(limits.accountBlock(snap, 'acct-a', 'gpt-4o')).toBeNull();
    third.finish(null);
  });

  it('a reload forgets blocks learned under the old limits', async () => {
    const { snap, limits, account, model } = setup('  - { id: burst, requests: { limit: 1, per: 1m } }', { a: ['burst'] });
    const request = await limits.admit(snap, null, model('gpt-4o'));
    await request.tryAccount(account('acct-a'), 'gpt-4o');
    await request.tryAccount(account('acct-a'), 'gpt-4o');
    request.finish(null);
    expect(limits.accountBlock(snap, 'acct-a', 'gpt-4o')).not.toBeNull();
    const raised = snapshotOf(limitsConfig('policies:\n  - { id: burst, requests: { limit: 5, per: 1m } }\n', { auth: false, accountPolicies: { a: ['burst'] } }), 2);
    limits.applied(raised);
    expect(limits.accountBlock(raised, 'acct-a', 'gpt-4o')).toBeNull();
    const next = await limits.admit(raised, null, raised.models.get('gpt-4o')!);
    expect((await next.tryAccount(raised.accounts.get('acct-a')!, 'gpt-4o')).ok).toBe(true);
    next.finish(null);
  });
});
