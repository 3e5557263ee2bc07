import { RateLimiterMemory } from 'rate-limiter-flexible';
import { describe, expect, it } from 'vitest';
import { MemoryLimiterBackend } from '../../src/limits/memory-backend.js';
import { UNBOUNDED_POINTS } from '../../src/limits/limiter-backend.js';
import { describeLimiterBackend } from './backend-conformance.js';

describeLimiterBackend('memory', async () => new MemoryLimiterBackend());

describe('memory counters', () => {
  it('answer synchronously: no promise on the hot path', () => {
    const counter = new MemoryLimiterBackend().counter('p:requests', 60);
    const added = counter.add('k', 2);
    expect(added).not.toBeInstanceOf(Promise);
    expect(added).toMatchObject({ used: 2 });
    expect(counter.peek('k')).toMatchObject({ used: 2 });
    expect(counter.subtract('k', 1)).toBeUndefined();
    expect(counter.peek('k')).toMatchObject({ used: 1 });
  });

  it("count exactly like rate-limiter-flexible's RateLimiterMemory (the store they share)", async () => {
    const counter = new MemoryLimiterBackend().counter('p:tokens', 60);
    const reference = new RateLimiterMemory({ points: UNBOUNDED_POINTS, duration: 60 });
    // A fixed pseudo-random walk of adds, take-backs (of points added before, as the engine
    // does) and reads over a few keys.
    const balance = new Map<string, number>();
    let seed = 7;
    const next = (n: number) => (seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31) % n;
    for (let i = 0; i < 500; i++) {
      const key = `key:${next(5)}`;
      const op = next(3);
      const points = 1 + next(10_000);
      if (op === 0) {
        expect(counter.add(key, points)).toMatchObject({ used: (await reference.consume(key, points)).consumedPoints });
        balance.set(key, (balance.get(key) ?? 0) + points);
      } else if (op === 1 && (balance.get(key) ?? 0) >= points) {
        balance.set(key, (balance.get(key) ?? 0) - points);
        counter.subtract(key, points);
        await reference.reward(key, points);
      }
      const ours = await counter.peek(key);
      const theirs = await reference.get(key);
      expect(ours.used).toBe(theirs?.consumedPoints ?? 0);
      expect(ours.used).toBe(balance.get(key) ?? 0);
      expect(ours.resetMs).toBeLessThanOrEqual(60_000);
    }
  });
});
