import { Redis } from 'ioredis';
import { afterAll, describe, expect, it } from 'vitest';
import { RedisLimiterBackend } from '../../src/limits/redis-backend.js';
import { captureLogs } from '../helpers/log-capture.js';
import { eventually } from './snapshot-fixture.js';
import { TcpProxy } from './tcp-proxy.js';

/**
 * Redis going away and coming back, through a relay the test cuts: requests keep being counted
 * (in memory) while it is down, and the log says so once each way. Needs CODEX_LB_TEST_REDIS_URL.
 */
const url = process.env.CODEX_LB_TEST_REDIS_URL;

if (url === undefined || url === '') {
  describe('redis outage', () => {
    it.skip('CODEX_LB_TEST_REDIS_URL is not set: the Redis outage suite is skipped', () => undefined);
  });
} else {
  const target = new URL(url);
  const namespace = `codex-lb-outage-${Date.now().toString(36)}`;
  afterAll(async () => {
    const client = new Redis(url, { lazyConnect: true, retryStrategy: () => null });
    client.on('error', () => undefined);
    await client.connect().catch(() => undefined);
    const keys = await client.keys(`${namespace}:*`).catch(() => [] as string[]);
    if (keys.length > 0) await client.del(...keys);
    client.disconnect();
  });

  describe('redis outage', () => {
    it('falls back to the in-memory insurance with one log line down and one when Redis is back', async () => {
      const relay = new TcpProxy(target.hostname, Number(target.port || 6379));
      await relay.start();
      const logs = captureLogs();
      const relayed = new URL(url);
      relayed.host = `127.0.0.1:${relay.port}`;
      const backend = new RedisLimiterBackend({ url: relayed.toString(), logger: logs.logger, namespace });
      try {
        await backend.ready(5_000).catch((error: unknown) => {
          throw new Error(`CODEX_LB_TEST_REDIS_URL (${url}) is unreachable: ${String(error)}`);
        });
        const counter = backend.counter('p:requests', 60);
        expect((await counter.add('key:a', 2)).used).toBe(2);

        await relay.cut();
        await eventually(() => logs.lines.some((l) => /unreachable/.test(l.msg)));
        // Counting goes on, in this process's memory, without waiting for Redis.
        const started = Date.now();
        expect((await counter.add('key:a', 1)).used).toBe(1);
        expect((await counter.add('key:a', 1)).used).toBe(2);
        expect(Date.now() - started).toBeLessThan(500);
        await new Promise((resolve) => setTimeout(resolve, 2_500)); // several reconnect attempts fail

        await relay.start();
        await backend.ready(10_000);
        await eventually(() => logs.lines.some((l) => /reachable again/.test(l.msg)));
        // Back on Redis: its count from before the outage is there.
        expect((await counter.add('key:a', 1)).used).toBe(3);

        const down = logs.lines.filter((l) => /unreachable/.test(l.msg));
        const up = logs.lines.filter((l) => /reachable again/.test(l.msg));
        expect(down).toHaveLength(1);
        expect(down[0].level).toBe(40);
        expect(down[0].msg).toMatch(/^rate-limit store redis:\/\/127\.0\.0\.1:\d+ is unreachable \(.+\): counting in this instance's memory until it is back$/);
        expect(up).toHaveLength(1);
      } finally {
        await backend.close();
        await relay.cut();
      }
    });
  });
}
