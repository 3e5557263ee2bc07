import { describe, expect, it } from 'vitest';
import { parseResetDuration, parseRetryAfter, retryHintMs } from '../../src/providers/rate-limit-headers.js';
import { AccountStateStore, type CooldownChange } from '../../src/routing/account-state.js';
import { backoffMs, BACKOFF_CAP_MS, cooldownMs, type AccountFailure } from '../../src/routing/cooldown-policy.js';
import { ManualClock } from './routing-fixtures.js';

const failure = (kind: AccountFailure['kind'], retryAfterMs: number | null = null): AccountFailure => ({ kind, status: null, retryAfterMs, message: kind });

describe('reset durations', () => {
  it.each([
    ['1m30s', 90_000],
    ['250ms', 250],
    ['2.5s', 2_500],
    ['6m0s', 360_000],
    ['1h2m3s', 3_723_000],
    ['20', 20_000],
    ['0s', 0],
  ])('%s = %i ms', (text, ms) => expect(parseResetDuration(text)).toBe(ms));

  it.each(['', 'soon', '5x', 'm'])('%j is unreadable', (text) => expect(parseResetDuration(text)).toBeNull());

  it('Retry-After takes seconds or an HTTP date', () => {
    const now = Date.parse('2026-01-01T00:00:00Z');
    expect(parseRetryAfter('7', now)).toBe(7_000);
    expect(parseRetryAfter('Thu, 01 Jan 2026 00:00:30 GMT', now)).toBe(30_000);
    expect(parseRetryAfter('garbage', now)).toBeNull();
  });
});

describe('retry hints from headers', () => {
  it('prefers retry-after-ms, then Retry-After', () => {
    expect(retryHintMs({ 'retry-after-ms': '1500', 'retry-after': '9' }, 0)).toBe(1_500);
    expect(retryHintMs({ 'retry-after': '9', 'x-ratelimit-reset-requests': '1m' }, 0)).toBe(9_000);
  });

  it("uses the exhausted budget's reset, else the later reset", () => {
    const headers = { 'x-ratelimit-reset-requests': '1m30s', 'x-ratelimit-reset-tokens': '250ms' };
    expect(retryHintMs({ ...headers, 'x-ratelimit-remaining-tokens': '0', 'x-ratelimit-remaining-requests': '12' }, 0)).toBe(250);
    expect(retryHintMs(headers, 0)).toBe(90_000);
    expect(retryHintMs({}, 0)).toBeNull();
  });
});

describe('cooldown policy', () => {
  it('backs off exponentially, capped at 5 minutes', () => {
    expect([1, 2, 3, 4].map(backoffMs)).toEqual([1_000, 2_000, 4_000, 8_000]);
    expect(backoffMs(40)).toBe(BACKOFF_CAP_MS);
    expect(BACKOFF_CAP_MS).toBe(300_000);
  });

  it('honours an upstream hint for any failure', () => {
    expect(cooldownMs(failure('rate_limited', 42_000), 1)).toBe(42_000);
    expect(cooldownMs(failure('server_error', 5_000), 1)).toBe(5_000);
  });

  it('cools a 429 or a network error at once, a 5xx from the second in a row', () => {
    expect(cooldownMs(failure('rate_limited'), 1)).toBe(1_000);
    expect(cooldownMs(failure('network'), 1)).toBe(1_000);
    expect(cooldownMs(failure('server_error'), 1)).toBe(0);
    expect(cooldownMs(failure('server_error'), 2)).toBe(1_000);
    expect(cooldownMs(failure('server_error'), 4)).toBe(4_000);
  });
});

describe('account state', () => {
  it('cools down until the hint passes, then serves again; success resets the streak', () => {
    const clock = new ManualClock();
    const store = new AccountStateStore(clock);
    expect(store.availability('a').available).toBe(true);
    store.recordFailure('a', { kind: 'rate_limited', status: 429, retryAfterMs: 30_000, message: 'upstream answered 429' });
    const cooling = store.availability('a');
    expect(cooling).toMatchObject({ available: false, rateLimited: true, retryInMs: 30_000, reason: 'upstream answered 429' });
    clock.advance(29_999);
    expect(store.availability('a').available).toBe(false);
    clock.advance(1);
    expect(store.availability('a').available).toBe(true);
    store.recordSuccess('a');
    expect(store.peek('a')?.consecutiveFailures).toBe(0);
  });

  it('grows the backoff with repeated server errors and caps it', () => {
    const clock = new ManualClock();
    const store = new AccountStateStore(clock);
    const lengths = Array.from({ length: 14 }, () => store.recordFailure('a', failure('server_error')));
    expect(lengths.slice(0, 5)).toEqual([0, 1_000, 2_000, 4_000, 8_000]);
    expect(lengths.at(-1)).toBe(BACKOFF_CAP_MS);
    expect(store.availability('a').rateLimited).toBe(false);
  });

  it('counts in-flight requests and never goes negative', () => {
    const store = new AccountStateStore(new ManualClock());
    store.acquire('a');
    store.acquire('a');
    store.release('a');
    expect(store.peek('a')?.inflight).toBe(1);
    store.release('a');
    store.release('a');
    expect(store.peek('a')?.inflight).toBe(0);
  });

  it('forgets removed accounts unless requests are still in flight on them', () => {
    const store = new AccountStateStore(new ManualClock());
    store.recordFailure('gone', failure('network'));
    store.acquire('busy');
    store.recordFailure('kept', failure('network'));
    store.retain(new Set(['kept']));
    expect(store.peek('gone')).toBeUndefined();
    expect(store.peek('busy')).toBeDefined();
    expect(store.peek('kept')).toBeDefined();
  });

  it('tells listeners of cooldowns it starts, extends and ends, and applies shared ones without echoing them', () => {
    const clock = new ManualClock();
    const store = new AccountStateStore(clock);
    const heard: CooldownChange[] = [];
    store.onCooldown((change) => heard.push(change));
    const now = clock.now();
    store.recordFailure('a', { kind: 'rate_limited', status: 429, retryAfterMs: 10_000, message: 'upstream answered 429' });
    store.recordFailure('a', { kind: 'rate_limited', status: 429, retryAfterMs: 5_000, message: 'shorter' });
    store.recordFailure('b', failure('server_error'));
    store.recordSuccess('b');
    store.recordSuccess('a');
    expect(heard).toEqual([
      { accountId: 'a', until: now + 10_000, kind: 'rate_limited', reason: 'upstream answered 429' },
      { accountId: 'a', until: 0, kind: null, reason: null },
    ]);

    heard.length = 0;
    store.applyShared({ accountId: 'c', until: now + 60_000, kind: 'rate_limited', reason: 'seen by another instance' });
    expect(store.availability('c')).toMatchObject({ available: false, rateLimited: true, reason: 'seen by another instance' });
    store.applyShared({ accountId: 'c', until: now + 1_000, kind: 'timeout', reason: 'shorter' });
    expect(store.availability('c').retryInMs).toBe(60_000);
    store.applyShared({ accountId: 'c', until: 0, kind: null, reason: null });
    expect(store.availability('c').available).toBe(true);
    expect(heard).toEqual([]);
  });
});
