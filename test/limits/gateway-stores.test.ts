import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { createConnection } from 'mysql2/promise';
import { RateLimitError } from 'openai';
import { afterAll, describe, expect, it } from 'vitest';
import { parseStorageUrl, type MariadbLocation } from '../../src/store/storage-url.js';
import { chat, LimitsHarness } from '../auth/limits-harness.js';
import { captureLogs } from '../helpers/log-capture.js';

/**
 * `limits.store` through whole gateways: counters in SQLite survive a restart; in Redis and in
 * MySQL/MariaDB they are shared by two gateway instances. Redis and MySQL parts run when their
 * CODEX_LB_TEST_* URL is set.
 */
const KEY = 'sk-clb-storesAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAa';
const yaml = (store: string) =>
  `limits: { store: "${store}" }\nmodels:\n  - { id: gpt-4o }\nauth: { enabled: true }\npolicies:\n  - { id: three, requests: { limit: 3, per: 1m } }\nkeys:\n  - { id: dev, key: "${KEY}", policies: [three] }\n`;

async function remaining(h: LimitsHarness): Promise<string | null> {
  const { response } = await h.client(KEY).chat.completions.create(chat()).withResponse();
  return response.headers.get('x-ratelimit-remaining-requests');
}

const dir = mkdtempSync(join(tmpdir(), 'codex-lb-stores-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('limits.store through the gateway', () => {
  it('sql with a sqlite: storage URL keeps counts across a restart', async () => {
    const storage = `sqlite:${join(dir, 'usage.sqlite')}`;
    const first = await LimitsHarness.start({ yaml: yaml('sql'), storage });
    expect(await remaining(first)).toBe('2');
    expect(await remaining(first)).toBe('1');
    await first.close();
    const second = await LimitsHarness.start({ yaml: yaml('sql'), storage });
    try {
      expect(await remaining(second)).toBe('0');
      await expect(second.client(KEY).chat.completions.create(chat())).rejects.toBeInstanceOf(RateLimitError);
    } finally {
      await second.close();
    }
  });

  it('an unreachable Redis does not stop the gateway: it counts in memory and says so once', async () => {
    const logs = captureLogs();
    const h = await LimitsHarness.start({ yaml: yaml('redis://127.0.0.1:1'), logger: logs.logger });
    try {
      expect(await remaining(h)).toBe('2');
      expect(await remaining(h)).toBe('1');
      const lines = logs.lines.filter((l) => /rate-limit store/.test(l.msg));
      expect(lines.map((l) => l.msg)).toEqual([
        "rate-limit store redis://127.0.0.1:1 is unreachable (connect ECONNREFUSED 127.0.0.1:1): counting in this instance's memory until it is back",
      ]);
    } finally {
      await h.close();
    }
  });

  const redisUrl = process.env.CODEX_LB_TEST_REDIS_URL;
  it.skipIf(!redisUrl)(`redis is shared by two gateway instances${redisUrl ? '' : ' (CODEX_LB_TEST_REDIS_URL is not set: skipped)'}`, async () => {
    const url = redisUrl as string;
    // A fresh key id per run keeps this run's counters apart from earlier ones in the same Redis.
    const run = yaml(url).replaceAll('id: dev', `id: dev-${Date.now().toString(36)}`);
    const one = await LimitsHarness.start({ yaml: run });
    const two = await LimitsHarness.start({ yaml: run });
    try {
      expect(await remaining(one)).toBe('2');
      expect(await remaining(two)).toBe('1');
      expect(await remaining(one)).toBe('0');
      await expect(two.client(KEY).chat.completions.create(chat())).rejects.toBeInstanceOf(RateLimitError);
    } finally {
      await one.close();
      await two.close();
      const client = new Redis(url);
      const keys = await client.keys(`codex-lb:*`);
      const mine = [];
      for (const k of keys) if (k.includes(':key:dev-')) mine.push(k);
      if (mine.length > 0) await client.del(...mine);
      await client.quit();
    }
  });

  const mysqlUrl = process.env.CODEX_LB_TEST_MYSQL_URL;
  it.skipIf(!mysqlUrl)(`sql with a MySQL/MariaDB storage URL is shared by two gateway instances${mysqlUrl ? '' : ' (CODEX_LB_TEST_MYSQL_URL is not set: skipped)'}`, async () => {
    const url = mysqlUrl as string;
    const run = yaml('sql').replaceAll('id: dev', `id: dev-${Date.now().toString(36)}`);
    const one = await LimitsHarness.start({ yaml: run, storage: url });
    const two = await LimitsHarness.start({ yaml: run, storage: url });
    try {
      expect(await remaining(one)).toBe('2');
      expect(await remaining(two)).toBe('1');
      expect(await remaining(one)).toBe('0');
      await expect(two.client(KEY).chat.completions.create(chat())).rejects.toBeInstanceOf(RateLimitError);
    } finally {
      await one.close();
      await two.close();
      const location = parseStorageUrl(url) as MariadbLocation;
      const conn = await createConnection({ host: location.host, port: location.port, user: location.username, password: location.password, database: location.database });
      await conn.query("DELETE FROM `codex_lb_limits` WHERE `key` LIKE '%:key:dev-%'");
      await conn.end();
    }
  });
});
