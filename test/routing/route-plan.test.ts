import { describe, expect, it } from 'vitest';
import { AccountRouter } from '../../src/routing/account-router.js';
import { AccountStateStore } from '../../src/routing/account-state.js';
import type { RoutePlan } from '../../src/routing/route-plan.js';
import { StickySessions } from '../../src/routing/sticky-sessions.js';
import { StrategySet } from '../../src/routing/strategies/strategy-set.js';
import { ManualClock, snapshotOf } from './routing-fixtures.js';

const YAML = `
routing: { strategy: round_robin, sticky: { ttl: 1m } }
accounts:
  - { id: a, kind: openai, baseUrl: "http://127.0.0.1:1/v1", apiKey: ka }
  - { id: b, kind: openai, baseUrl: "http://127.0.0.1:1/v1", apiKey: kb }
  - { id: c, kind: openai, baseUrl: "http://127.0.0.1:1/v1", apiKey: "" }
  - { id: z, kind: openai, baseUrl: "http://127.0.0.1:1/v1", apiKey: kz }
models:
  - { id: main, accounts: [a, b, c], fallback: backup }
  - { id: backup, accounts: [z, a] }
`;

function setup() {
  const clock = new ManualClock();
  const state = new AccountStateStore(clock);
  const router = new AccountRouter({
    state,
    sticky: new StickySessions(clock),
    strategies: new StrategySet(),
    clock,
    servable: (account) => (account.config.kind === 'openai' && account.config.apiKey === '' ? 'no API key' : null),
  });
  const snapshot = snapshotOf(YAML);
  const model = snapshot.models.get('main');
  if (model === undefined) throw new Error('model missing');
  return { clock, state, router, snapshot, model };
}

function drain(plan: RoutePlan): string[] {
  const out: string[] = [];
  for (let c = plan.next(); c !== null; c = plan.next()) out.push(`${c.account.id}@${c.model.id}`);
  return out;
}

describe('route plans', () => {
  it('offers the model accounts in strategy order, then the fallback model, each account once', () => {
    const { router, snapshot, model } = setup();
    expect(drain(router.plan(snapshot, model, null))).toEqual(['a@main', 'b@main', 'z@backup']);
    expect(drain(router.plan(snapshot, model, null))).toEqual(['b@main', 'a@main', 'z@backup']);
  });

  it('skips accounts cooling down and reports 429 usage_limit_reached data when all are rate-limited', () => {
    const { router, snapshot, model, state } = setup();
    for (const [id, ms] of [['a', 5_000], ['b', 2_000], ['z', 9_000]] as const) {
      state.recordFailure(id, { kind: 'rate_limited', status: 429, retryAfterMs: ms, message: 'upstream answered 429' });
    }
    const plan = router.plan(snapshot, model, null);
    expect(plan.next()).toBeNull();
    const exhaustion = plan.exhaustion();
    // c has no key: not a rate limit, so this is not "all rate-limited".
    expect(exhaustion.allRateLimited).toBe(false);
    expect(exhaustion.accounts.map((a) => a.accountId)).toEqual(['a', 'b', 'c', 'z']);
    expect(exhaustion.accounts.find((a) => a.accountId === 'c')?.reason).toBe('no API key');
    expect(exhaustion.retryAfterMs).toBe(2_000);
  });

  it('says all rate-limited when every account is cooling from a 429', () => {
    const { router, snapshot, state } = setup();
    const backup = snapshot.models.get('backup');
    if (backup === undefined) throw new Error('missing');
    for (const id of ['z', 'a']) state.recordFailure(id, { kind: 'rate_limited', status: 429, retryAfterMs: 3_000, message: '429' });
    const plan = router.plan(snapshot, backup, null);
    expect(plan.next()).toBeNull();
    expect(plan.exhaustion()).toMatchObject({ allRateLimited: true, retryAfterMs: 3_000, models: ['backup'] });
  });

  it('puts the sticky account first and moves the session when that account cannot serve', () => {
    const { router, snapshot, model, state } = setup();
    router.bindSession(snapshot, 'pck:s', 'b');
    expect(router.plan(snapshot, model, 'pck:s').next()?.account.id).toBe('b');
    expect(router.plan(snapshot, model, 'pck:s').next()?.account.id).toBe('b');
    state.recordFailure('b', { kind: 'network', status: null, retryAfterMs: null, message: 'ECONNREFUSED' });
    const moved = router.plan(snapshot, model, 'pck:s').next();
    expect(moved?.account.id).toBe('a');
    router.bindSession(snapshot, 'pck:s', 'a');
    expect(router.plan(snapshot, model, 'pck:s').next()?.account.id).toBe('a');
  });

  it('re-checks availability when offering (another request may have cooled an account)', () => {
    const { router, snapshot, model, state } = setup();
    const plan = router.plan(snapshot, model, null);
    expect(plan.next()?.account.id).toBe('a');
    state.recordFailure('b', { kind: 'timeout', status: null, retryAfterMs: null, message: 'slow' });
    expect(plan.next()?.account.id).toBe('z');
  });
});
