import { describe, expect, it } from 'vitest';
import { affinityKey } from '../../src/routing/affinity-key.js';
import { StickySessions } from '../../src/routing/sticky-sessions.js';
import { TtlMap } from '../../src/routing/ttl-map.js';
import { ManualClock } from './routing-fixtures.js';

describe('TtlMap', () => {
  it('expires entries after their TTL', () => {
    const clock = new ManualClock();
    const map = new TtlMap<string>(10, () => clock.now());
    map.set('k', 'v', 1_000);
    clock.advance(999);
    expect(map.get('k')).toBe('v');
    clock.advance(1);
    expect(map.get('k')).toBeUndefined();
  });

  it('evicts the least recently written entry when full', () => {
    const clock = new ManualClock();
    const map = new TtlMap<number>(3, () => clock.now());
    for (const [i, key] of ['a', 'b', 'c'].entries()) map.set(key, i, 60_000);
    map.set('a', 9, 60_000); // rewritten: now the newest
    map.set('d', 3, 60_000);
    expect(map.size).toBe(3);
    expect(map.get('b')).toBeUndefined();
    expect(map.get('a')).toBe(9);
  });
});

describe('sticky sessions', () => {
  it('binds, refreshes and forgets', () => {
    const clock = new ManualClock();
    const sticky = new StickySessions(clock);
    sticky.bind('s1', 'acct-a', 10_000);
    clock.advance(9_000);
    sticky.bind('s1', 'acct-a', 10_000);
    clock.advance(9_000);
    expect(sticky.accountFor('s1')).toBe('acct-a');
    sticky.forget('s1');
    expect(sticky.accountFor('s1')).toBeUndefined();
  });
});

describe('affinity keys', () => {
  it('takes prompt_cache_key from the body first', () => {
    expect(affinityKey({ prompt_cache_key: 'thread-1' }, { 'session-id': 'x' })).toBe('pck:thread-1');
  });

  it.each(['session-id', 'session_id', 'thread-id', 'x-session-affinity', 'x-session-id'])('reads the %s header', (name) => {
    expect(affinityKey({}, { [name]: 'abc' })).toBe(`${name}:abc`);
  });

  it('is null without any, and ignores empty or non-string values', () => {
    expect(affinityKey({}, {})).toBeNull();
    expect(affinityKey({ prompt_cache_key: 42 }, { 'session-id': '' })).toBeNull();
  });
});
