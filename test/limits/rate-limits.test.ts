import { afterEach, describe, expect, it } from 'vitest';
import { MemoryLimiterBackend } from '../../src/limits/memory-backend.js';
import { RateLimits } from '../../src/limits/rate-limits.js';
import type { RequestLimits } from '../../src/limits/request-limits.js';
import type { Snapshot } from '../../src/runtime/snapshot.js';
import { GatewayError } from '../../src/shared/errors.js';
import { systemClock } from '../../src/shared/clock.js';
import { captureLogs } from '../helpers/log-capture.js';
import { eventually, limitsConfig, snapshotOf } from './snapshot-fixture.js';

const KEY = 'sk-clb-unit-test-key-000000000001';

function setup(policies: string, keyExtra = '') {
  const snap = snapshotOf(limitsConfig(`policies:\n${policies}\nkeys:\n  - { id: dev, key: "${KEY}", policies: [${policyIds(policies)}]${keyExtra} }\n`));
  const limits = new RateLimits({ backend: new MemoryLimiterBackend(), clock: systemClock, logger: captureLogs().logger });
  return { snap, limits, key: snap.keys.get('dev')!, model: (id: string) => snap.models.get(id)! };
}

function policyIds(yaml: string): string {
  return [...yaml.matchAll(/id: ([\w-]+)/g)].map((m) => m[1]).join(', ');
}

/** The error an admission was refused with, thrown at once (in-memory counters) or rejected. */
async function refusal(admission: () => unknown): Promise<GatewayError> {
  const error = await Promise.resolve().then(admission).then(
    () => null,
    (e: unknown) => e,
  );
  if (!(error instanceof GatewayError)) throw new Error(`expected a GatewayError, got ${String(error)}`);
  return error;
}

const open: RequestLimits[] = [];
afterEach(() => open.splice(0).forEach((h) => h.finish(null)));
async function admit(limits: RateLimits, snap: Snapshot, key: ReturnType<typeof setup>['key'] | null, model: ReturnType<ReturnType<typeof setup>['model']>) {
  const handle = await limits.admit(snap, key, model);
  open.push(handle);
  return handle;
}

describe('key policies', () => {
  it('requests: counted at admission, refused past the limit with a 429 naming policy, window and reset', async () => {
    const { snap, limits, key, model } = setup('  - { id: burst, requests: { limit: 2, per: 2s } }');
    const first = await admit(limits, snap, key, model('gpt-4o'));
    expect(first.headers).toMatchObject({ 'x-ratelimit-limit-requests': '2', 'x-ratelimit-remaining-requests': '1' });
    expect(first.headers['x-ratelimit-reset-requests']).toMatch(/^(1|2)s$/);
    await admit(limits, snap, key, model('gpt-4o'));
    const error = await refusal(() => limits.admit(snap, key, model('gpt-4o')));
    expect(error.status).toBe(429);
    expect(error.code).toBe('rate_limit_exceeded');
    expect(error.message).toMatch(/^Rate limit reached for key 'dev': policy 'burst' allows 2 requests per 2s\. Try again in [12]s \(the window resets at \d{4}-\d\d-\d\dT[\d:.]+Z\)\.$/);
    expect(Number(error.headers['Retry-After'])).toBeGreaterThanOrEqual(1);
    expect(Number(error.headers['Retry-After'])).toBeLessThanOrEqual(2);
    expect(error.headers['x-ratelimit-remaining-requests']).toBe('0');
    // Once the window ends the key is admitted again (refusals were not counted).
    await eventually(async () => (await Promise.resolve().then(() => limits.admit(snap, key, model('gpt-4o'))).then((h) => (open.push(h), true), () => false)));
  });

  it.each([
    ['tokens', '{ limit: 100, per: 1m }', { inputTokens: 70, outputTokens: 40 }, /allows 100 tokens per 1m \(110 tokens used\)/],
    ['inputTokens', '{ limit: 50, per: 1m }', { inputTokens: 60, outputTokens: 1 }, /allows 50 input tokens per 1m \(60 input tokens used\)/],
    ['outputTokens', '{ limit: 50, per: 1m }', { inputTokens: 1, outputTokens: 50 }, /allows 50 output tokens per 1m \(50 output tokens used\)/],
  ])('%s: charged with actual usage at the end; the overshooting request passes, the next is refused', async (kind, budget, usage, message) => {
    const { snap, limits, key, model } = setup(`  - { id: budget, ${kind}: ${budget} }`);
    const first = await admit(limits, snap, key, model('gpt-4o'));
    expect(first.headers['x-ratelimit-remaining-tokens']).toBe(/limit: (\d+)/.exec(budget)![1]);
    first.finish({ accountId: null, usage: { ...usage, cachedInputTokens: 0, reasoningTokens: 0 }, costMicroUsd: null });
    const error = await eventually(() => refusal(() => limits.admit(snap, key, model('gpt-4o'))).catch(() => null));
    expect(error.message).toMatch(message);
    expect(error.headers['x-ratelimit-remaining-tokens']).toBe('0');
  });

  it('costUsd: counted in micro-USD; a request with an unknown price charges nothing', async () => {
    const { snap, limits, key, model } = setup('  - { id: spend, costUsd: { limit: 0.01, per: 1d } }');
    const usage = { inputTokens: 10, outputTokens: 10, cachedInputTokens: 0, reasoningTokens: 0 };
    (await admit(limits, snap, key, model('gpt-4o'))).finish({ accountId: null, usage, costMicroUsd: null });
    (await admit(limits, snap, key, model('gpt-4o'))).finish({ accountId: null, usage, costMicroUsd: 9_999 });
    (await admit(limits, snap, key, model('gpt-4o'))).finish({ accountId: null, usage, costMicroUsd: 1 });
    const error = await eventually(() => refusal(() => limits.admit(snap, key, model('gpt-4o'))).catch(() => null));
    expect(error.message).toMatch(/policy 'spend' allows \$0\.01 per 1d \(\$0\.01 used\)/);
    expect(Number(error.headers['Retry-After'])).toBeGreaterThan(86_000);
  });

  it('concurrency: refused while the slots are held, free again once finished (exactly once)', async () => {
    const { snap, limits, key, model } = setup('  - { id: two-at-once, concurrency: 2 }');
    const a = await limits.admit(snap, key, model('gpt-4o'));
    const b = await limits.admit(snap, key, model('gpt-4o'));
    const error = await refusal(() => limits.admit(snap, key, model('gpt-4o')));
    expect(error.message).toBe("Too many concurrent requests for key 'dev': policy 'two-at-once' allows 2 in flight at once. Retry when one of them finishes.");
    expect(error.headers['Retry-After']).toBe('1');
    a.finish(null);
    a.finish(null); // a second finish must not free a slot it does not hold
    const c = await limits.admit(snap, key, model('gpt-4o'));
    await refusal(() => limits.admit(snap, key, model('gpt-4o')));
    b.finish(null);
    c.finish(null);
  });

  it('a refusal by one policy does not count against the others', async () => {
    const { snap, limits, key, model } = setup('  - { id: wide, requests: { limit: 100, per: 1m } }\n  - { id: narrow, requests: { limit: 1, per: 1m } }');
    await admit(limits, snap, key, model('gpt-4o'));
    for (let i = 0; i < 3; i++) await refusal(() => limits.admit(snap, key, model('gpt-4o')));
    const more = snapshotOf(limitsConfig(`policies:\n  - { id: wide, requests: { limit: 100, per: 1m } }\nkeys:\n  - { id: dev, key: "${KEY}", policies: [wide] }\n`), 2);
    const handle = await admit(limits, more, more.keys.get('dev')!, more.models.get('gpt-4o')!);
    expect(handle.headers['x-ratelimit-remaining-requests']).toBe('98');
  });

  it('headers show the tightest policy of each kind', async () => {
    const { snap, limits, key, model } = setup(
      '  - { id: minute, requests: { limit: 10, per: 1m }, tokens: { limit: 1000, per: 1m } }\n  - { id: day, requests: { limit: 3, per: 1d }, outputTokens: { limit: 500000, per: 1d } }',
    );
    const handle = await admit(limits, snap, key, model('gpt-4o'));
    expect(handle.headers).toMatchObject({
      'x-ratelimit-limit-requests': '3',
      'x-ratelimit-remaining-requests': '2',
      'x-ratelimit-limit-tokens': '1000',
      'x-ratelimit-remaining-tokens': '1000',
      'x-ratelimit-reset-tokens': '0s',
    });
    expect(handle.headers['x-ratelimit-reset-requests']).toMatch(/^2[34]h\d+m\d+s$/);
  });

  it('model scoping: a policy with models: applies only to them (aliases resolved)', async () => {
    const { snap, limits, key, model } = setup('  - { id: four-o-only, requests: { limit: 1, per: 1m }, models: [four-o] }');
    await admit(limits, snap, key, model('gpt-4o'));
    await refusal(() => limits.admit(snap, key, model('gpt-4o')));
    for (let i = 0; i < 3; i++) expect((await admit(limits, snap, key, model('o3'))).headers).toEqual({});
  });

  it("a key's models list: other models are refused with 403 model_not_allowed", async () => {
    const { snap, limits, key, model } = setup('  - { id: any, requests: { limit: 5, per: 1m } }', ', models: [four-o, o3]');
    await admit(limits, snap, key, model('gpt-4o'));
    const error = await refusal(() => limits.admit(snap, key, model('gpt-4o-mini')));
    expect(error.status).toBe(403);
    expect(error.code).toBe('model_not_allowed');
    expect(error.message).toBe("The API key 'dev' is not allowed to use the model 'gpt-4o-mini'. Allowed: gpt-4o, o3.");
  });

  it('anonymous requests have no policies and no headers', async () => {
    const { snap, limits, model } = setup('  - { id: p, requests: { limit: 1, per: 1m } }');
    for (let i = 0; i < 3; i++) expect((await admit(limits, snap, null, model('gpt-4o'))).headers).toEqual({});
  });
});

describe('reload continuity', () => {
  const yaml = (policy: string, keys = `keys:\n  - { id: dev, key: "${KEY}", policies: [p] }\n`) => limitsConfig(`policies:\n  - ${policy}\n${keys}`);

  it('an unchanged policy keeps its counts; a changed limit keeps the counts of the window; a changed window starts afresh', async () => {
    const limits = new RateLimits({ backend: new MemoryLimiterBackend(), clock: systemClock, logger: captureLogs().logger });
    const v1 = snapshotOf(yaml('{ id: p, requests: { limit: 5, per: 1m } }'), 1);
    for (let i = 0; i < 3; i++) await admit(limits, v1, v1.keys.get('dev')!, v1.models.get('gpt-4o')!);

    const v2 = snapshotOf(yaml('{ id: p, requests: { limit: 5, per: 1m } }') + '# comment\n', 2);
    limits.applied(v2);
    expect((await admit(limits, v2, v2.keys.get('dev')!, v2.models.get('gpt-4o')!)).headers['x-ratelimit-remaining-requests']).toBe('1');

    const v3 = snapshotOf(yaml('{ id: p, requests: { limit: 4, per: 1m } }'), 3);
    limits.applied(v3);
    const error = await refusal(() => limits.admit(v3, v3.keys.get('dev')!, v3.models.get('gpt-4o')!));
    expect(error.message).toMatch(/allows 4 requests per 1m/);

    const v4 = snapshotOf(yaml('{ id: p, requests: { limit: 4, per: 2m } }'), 4);
    limits.applied(v4);
    expect((await admit(limits, v4, v4.keys.get('dev')!, v4.models.get('gpt-4o')!)).headers['x-ratelimit-remaining-requests']).toBe('3');
  });
});
