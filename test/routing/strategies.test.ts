import { describe, expect, it } from 'vitest';
import { LeastInflightStrategy } from '../../src/routing/strategies/least-inflight.js';
import { PriorityStrategy } from '../../src/routing/strategies/priority.js';
import { RoundRobinStrategy } from '../../src/routing/strategies/round-robin.js';
import { StrategySet } from '../../src/routing/strategies/strategy-set.js';
import { capacityWeightedStrategy, WeightedStrategy } from '../../src/routing/strategies/weighted.js';
import { candidates, firstPicks } from './routing-fixtures.js';

const ids = (list: { account: { id: string } }[]) => list.map((c) => c.account.id);

describe('round_robin', () => {
  it('starts one further each time and keeps the rest as failover order', () => {
    const s = new RoundRobinStrategy();
    const pool = candidates(['a', {}], ['b', {}], ['c', {}]);
    expect(ids(s.order(pool, 'm'))).toEqual(['a', 'b', 'c']);
    expect(ids(s.order(pool, 'm'))).toEqual(['b', 'c', 'a']);
    expect(ids(s.order(pool, 'm'))).toEqual(['c', 'a', 'b']);
    expect(ids(s.order(pool, 'm'))).toEqual(['a', 'b', 'c']);
  });

  it('rotates each pool (model) separately and never mutates its input', () => {
    const s = new RoundRobinStrategy();
    const pool = candidates(['a', {}], ['b', {}]);
    s.order(pool, 'm1');
    expect(ids(s.order(pool, 'm2'))).toEqual(['a', 'b']);
    expect(ids(pool)).toEqual(['a', 'b']);
  });
});

describe('weighted', () => {
  it('gives exact shares per cycle, interleaved (smooth weighted round robin)', () => {
    const s = new WeightedStrategy();
    const pool = candidates(['a', { weight: 3 }], ['b', { weight: 1 }]);
    const firsts = Array.from({ length: 8 }, () => s.order(pool, 'm')[0].account.id);
    expect(firsts.filter((id) => id === 'a')).toHaveLength(6);
    expect(firsts.filter((id) => id === 'b')).toHaveLength(2);
    // Never three b's... and never four a's in a row: the picks are spread within the cycle.
    expect(firsts.join('')).not.toContain('aaaa');
  });

  it('orders the failover tail by weight', () => {
    const s = new WeightedStrategy();
    const pool = candidates(['a', { weight: 1 }], ['b', { weight: 5 }], ['c', { weight: 2 }]);
    const order = ids(s.order(pool, 'm'));
    expect(order[0]).toBe('b');
    expect(order.slice(1)).toEqual(['c', 'a']);
  });
});

describe('capacity_weighted', () => {
  it('is weighted while capacity is unknown', () => {
    const s = capacityWeightedStrategy();
    const pool = candidates(['a', { weight: 2 }], ['b', { weight: 1 }]);
    expect(firstPicks(30, () => s.order(pool, 'm'))).toEqual({ a: 20, b: 10 });
  });

  it('scales weights by remaining capacity when known', () => {
    const s = capacityWeightedStrategy();
    const pool = candidates(['a', { capacity: 0.25 }], ['b', { capacity: 1 }]);
    expect(firstPicks(50, () => s.order(pool, 'm'))).toEqual({ a: 10, b: 40 });
  });
});

describe('least_inflight', () => {
  it('prefers the account with the fewest requests in flight', () => {
    const s = new LeastInflightStrategy();
    const pool = candidates(['a', { inflight: 3 }], ['b', { inflight: 0 }], ['c', { inflight: 1 }]);
    expect(ids(s.order(pool, 'm'))).toEqual(['b', 'c', 'a']);
  });

  it('rotates among ties so sequential traffic spreads', () => {
    const s = new LeastInflightStrategy();
    const pool = candidates(['a', {}], ['b', {}]);
    expect(firstPicks(4, () => s.order(pool, 'm'))).toEqual({ a: 2, b: 2 });
  });
});

describe('priority', () => {
  it('lowest priority value first, then file order', () => {
    const s = new PriorityStrategy();
    const pool = candidates(['a', { priority: 1 }], ['b', { priority: 0 }], ['c', { priority: 1 }], ['d', { priority: 0 }]);
    expect(ids(s.order(pool))).toEqual(['b', 'd', 'a', 'c']);
    expect(ids(s.order(pool))).toEqual(['b', 'd', 'a', 'c']);
  });
});

it('the strategy set serves every configured strategy name', () => {
  const set = new StrategySet();
  for (const name of ['round_robin', 'weighted', 'least_inflight', 'priority', 'capacity_weighted'] as const) expect(set.get(name).name).toBe(name);
});
