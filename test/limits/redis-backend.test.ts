import { Redis } from 'ioredis';
import { afterAll, describe, expect, it } from 'vitest';
import { RedisLimiterBackend } from '../../src/limits/redis-backend.js';
import { captureLogs } from '../helpers/log-capture.js';
import { describeLimiterBackend } from './backend-conformance.js';

/**
 * The Redis backend against a real Redis: runs when CODEX_LB_TEST_REDIS_URL is set (and fails if
 * it is unreachable), skipped with a visible reason when it is not.
 */
const url = process.env.CODEX_LB_TEST_REDIS_URL;

if (url === undefined || url === '') {
  describe('limiter backend: redis', () => {
    it.skip('CODEX_LB_TEST_REDIS_URL is not set: the Redis limiter suite is skipped', () => undefined);
  });
} else {
  const namespace = `codex-lb-test-${Date.now().toString(36)}${Math.random().toString(36).slice(2, 6)}`;
  const open = async () => {
    const backend = new RedisLimiterBackend({ url, logger: captureLogs().logger, namespace });
    try {
      await backend.ready(5_000);
    } catch (error) {
      await backend.close();
      throw new Error(`CODEX_LB_TEST_REDIS_URL (${url}) is unreachable: ${(error as Error).message}`);
    }
    return backend;
  };

  afterAll(async () => {
    const client = new Redis(url, { lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => null });
    client.on('error', () => undefined);
    try {
      await client.connect();
      const keys = await client.keys(`${namespace}:*`);
      if (keys.length > 0) await client.del(...keys);
    } catch {
      // Unreachable: the suite itself already failed saying so.
    } finally {
      client.disconnect();
    }
  });

  describeLimiterBackend('redis (ioredis)', open);

  describe('redis limiter backend', () => {
    it('shares counters between gateway instances', async () => {
      const one = await open();
      const two = await open();
      try {
        await one.counter('p:requests', 60).add('key:a', 2);
        await two.counter('p:requests', 60).add('key:a', 3);
        expect((await one.counter('p:requests', 60).peek('key:a')).used).toBe(5);
      } finally {
        await one.close();
        await two.close();
      }
    });
  });
}
