import { Redis } from 'ioredis';
import { afterAll, describe, expect, it } from 'vitest';
import { LimitsHarness } from '../auth/limits-harness.js';
import { runPool, runWhile } from '../helpers/load.js';
import { captureLogs } from '../helpers/log-capture.js';
import { TcpSwitch } from '../helpers/tcp-switch.js';
import { waitFor } from '../helpers/wait.js';
import { CALL_SHAPES, callGateway, tally } from './gateway-calls.js';

/**
 * Redis (limits.store) going away under load and coming back, through a TCP switch in front of
 * the real Redis: every request keeps succeeding (the limits count in the in-memory insurance
 * meanwhile), and the log says so once when it goes and once when it is back.
 */
const redisUrl = process.env.CODEX_LB_TEST_REDIS_URL;
if (!redisUrl) console.log('[test/faults] CODEX_LB_TEST_REDIS_URL is not set: the Redis-down-under-load test is skipped');

const KEY = 'sk-clb-faultsAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAa';
const TIGHT_KEY = 'sk-clb-faultsBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBb';
const keyId = `redis-faults-${Date.now().toString(36)}`;

describe.skipIf(!redisUrl)('Redis down under load', () => {
  const target = new URL(redisUrl ?? 'redis://127.0.0.1:6379');
  const tcp = new TcpSwitch(target.hostname, Number(target.port || 6379));
  afterAll(async () => {
    await tcp.dispose();
    // This run's counters only (its key id is unique).
    const client = new Redis(redisUrl ?? '', { lazyConnect: true, retryStrategy: () => null });
    client.on('error', () => undefined);
    await client.connect();
    const keys = (await client.keys('codex-lb:*')).filter((k) => k.includes(keyId));
    if (keys.length > 0) await client.del(...keys);
    client.disconnect();
  });

  it('keeps serving on the in-memory insurance while Redis is cut, logging it once down and once back', async () => {
    await tcp.on();
    const relayed = new URL(redisUrl ?? '');
    relayed.host = `127.0.0.1:${tcp.port}`;
    const logs = captureLogs();
    const h = await LimitsHarness.start({
      logger: logs.logger,
      yaml: `limits: { store: "${relayed.toString()}" }
auth: { enabled: true }
models:
  - { id: m }
policies:
  - { id: roomy, requests: { limit: 1000000, per: 1m }, tokens: { limit: 1000000000, per: 1d }, concurrency: 64 }
  - { id: three, requests: { limit: 3, per: 1m } }
keys:
  - { id: ${keyId}, key: "${KEY}", policies: [roomy] }
  - { id: ${keyId}-tight, key: "${TIGHT_KEY}", policies: [three] }
`,
    });
    const storeLines = () => logs.lines.filter((l) => /^rate-limit store /.test(l.msg));
    try {
      expect(storeLines()).toEqual([]);
      const client = h.client(KEY);
      let running = true;
      const load = runWhile(() => running, 8, (i) => callGateway(client, 'm', CALL_SHAPES[i % CALL_SHAPES.length]));
      try {
        await waitFor(() => load.results.length >= 40, { timeoutMs: 20_000, what: 'requests before the cut' });
        await tcp.off();
        await waitFor(() => storeLines().some((l) => /is unreachable/.test(l.msg)), { what: 'the outage line' });
        const atCut = load.results.length;
        // The limits still hold, counted in memory: a key allowed 3 requests a minute gets a 4th refused.
        const tight = await runPool(4, 1, () => callGateway(h.client(TIGHT_KEY), 'm', 'chat'));
        expect(tight.map((o) => (o.kind === 'http_error' ? o.status : o.kind))).toEqual(['ok', 'ok', 'ok', 429]);
        // Served while Redis is unreachable (its reconnect attempts keep failing meanwhile).
        await waitFor(() => load.results.length >= atCut + 80, { timeoutMs: 20_000, what: 'requests during the outage' });
        await new Promise((resolve) => setTimeout(resolve, 1_000));
        await tcp.on();
        await waitFor(() => storeLines().some((l) => /reachable again/.test(l.msg)), { timeoutMs: 15_000, what: 'the recovery line' });
        const atRecovery = load.results.length;
        await waitFor(() => load.results.length >= atRecovery + 40, { timeoutMs: 20_000, what: 'requests after the recovery' });
      } finally {
        running = false;
      }
      const outcomes = await load.done;
      const { ok, ...failed } = tally(outcomes);
      expect(failed).toEqual({ http_error: [], stream_error: [], broken: [] });
      expect(ok.length).toBeGreaterThanOrEqual(160);
      const lines = storeLines();
      expect(lines.map((l) => l.level)).toEqual([40, 30]);
      expect(lines[0].msg).toMatch(/^rate-limit store redis:\/\/127\.0\.0\.1:\d+ is unreachable \(.+\): counting in this instance's memory until it is back$/);
      expect(lines[1].msg).toMatch(/is reachable again: counting there again$/);
      // Each request was authenticated and left its usage record, Redis down or not.
      expect(h.sink.records.filter((r) => r.keyId === keyId && r.status === 200)).toHaveLength(ok.length);
    } finally {
      await h.close();
    }
  });
});
