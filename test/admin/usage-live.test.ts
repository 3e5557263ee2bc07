import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import OpenAI from 'openai';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FakeOpenAiUpstream } from '../fakes/openai-upstream.js';
import { waitFor } from '../helpers/wait.js';
import { AdminHarness, Feed } from './admin-harness.js';

/**
 * The admin API over the durable store: `usageUpdated` ticks that follow real /v1 traffic and
 * agree with `usage`, and a pause that survives a restart of the gateway.
 */
interface UsageTick {
  usageUpdated: { totals: { requests: number; inputTokens: number; outputTokens: number; costMicroUsd: number }; rows: Array<{ group: { keyId: string }; totals: { requests: number } }> };
}

describe('admin API on the durable store', () => {
  let dir: string;
  let upstream: FakeOpenAiUpstream;
  const config = () => `server: { host: 127.0.0.1, port: 0 }
storage: { url: "sqlite:${join(dir, 'usage.sqlite')}", batch: { interval: 20ms } }
routing: { strategy: round_robin, sticky: { enabled: false } }
accounts:
  - { id: acct-a, kind: openai, baseUrl: "${upstream.url}", apiKey: key-a }
  - { id: acct-b, kind: openai, baseUrl: "${upstream.url}", apiKey: key-b }
models:
  - { id: gpt-test, pricing: { input: 1, output: 2 } }
`;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'codex-lb-admin-store-'));
    upstream = await FakeOpenAiUpstream.start({ name: 'up' });
  });
  afterAll(async () => {
    await upstream.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('usageUpdated ticks as requests are recorded, and its figures equal the usage query', async () => {
    const harness = await AdminHarness.start(config());
    try {
      const feed = new Feed<UsageTick>(harness.socket(), 'subscription { usageUpdated(range: { last: "1h" }, groupBy: [KEY]) { totals { requests inputTokens outputTokens costMicroUsd } rows { group { keyId } totals { requests } } } }');
      const first = await feed.nextData();
      const base = first.usageUpdated.totals.requests;
      const client = new OpenAI({ baseURL: `${harness.gateway.url}/v1`, apiKey: 'dummy', maxRetries: 0 });
      for (let i = 0; i < 3; i += 1) await client.chat.completions.create({ model: 'gpt-test', messages: [{ role: 'user', content: 'hi' }] });
      let tick = first;
      while (tick.usageUpdated.totals.requests < base + 3) tick = await feed.nextData(10_000);
      expect(tick.usageUpdated.totals.requests).toBe(base + 3);
      expect(tick.usageUpdated.rows).toEqual([{ group: { keyId: 'anonymous' }, totals: { requests: base + 3 } }]);
      const query = await harness.data<{ usage: UsageTick['usageUpdated'] }>('{ usage(range: { last: "1h" }, groupBy: [KEY]) { totals { requests inputTokens outputTokens costMicroUsd } rows { group { keyId } totals { requests } } } }');
      expect(query.usage).toEqual(tick.usageUpdated);
      // 12 input (4 cached), 7 output per answer at {1, 1, 2} USD/1M: 12 + 14 = 26 µUSD each.
      expect(query.usage.totals).toMatchObject({ inputTokens: 12 * (base + 3), outputTokens: 7 * (base + 3), costMicroUsd: 26 * (base + 3) });
      feed.unsubscribe();
    } finally {
      await harness.close();
    }
  });

  it('usageUpdated follows the store, not a guess: records written late (the store was locked) still tick at once', async () => {
    const harness = await AdminHarness.start(config());
    const locker = new Database(join(dir, 'usage.sqlite'));
    try {
      const feed = new Feed<UsageTick>(harness.socket(), 'subscription { usageUpdated(range: { last: "1h" }) { totals { requests } rows { group { keyId } totals { requests } } } }');
      const base = (await feed.nextData()).usageUpdated.totals.requests;
      // Another connection holds the write lock for longer than the batch interval, the settle
      // margin and the trailing check together: the records reach the store only after that.
      locker.exec('BEGIN EXCLUSIVE');
      const client = new OpenAI({ baseURL: `${harness.gateway.url}/v1`, apiKey: 'dummy', maxRetries: 0 });
      for (let i = 0; i < 2; i += 1) await client.chat.completions.create({ model: 'gpt-test', messages: [{ role: 'user', content: 'hi' }] });
      await new Promise((resolve) => setTimeout(resolve, 2_500));
      locker.exec('COMMIT');
      // Well before the 30 s idle re-check: the recorder's "stored" signal triggers the tick.
      let tick = await feed.nextData(15_000);
      while (tick.usageUpdated.totals.requests < base + 2) tick = await feed.nextData(15_000);
      expect(tick.usageUpdated.totals.requests).toBe(base + 2);
      feed.unsubscribe();
    } finally {
      locker.close();
      await harness.close();
    }
  });

  it('a pause is persisted: the restarted gateway still skips the account until resumeAccount', async () => {
    const first = await AdminHarness.start(config());
    await first.data('mutation { pauseAccount(id: "acct-a", reason: "rotating keys") { id } }');
    await first.close();

    const second = await AdminHarness.start(config());
    try {
      const state = await waitFor(async () => {
        const data = await second.data<{ accounts: Array<{ id: string; status: string }> }>('{ accounts { id status } }');
        return data.accounts.find((a) => a.id === 'acct-a')?.status === 'PAUSED' ? data.accounts : null;
      }, { what: 'acct-a paused after the restart' });
      expect(state).toEqual([
        { id: 'acct-a', status: 'PAUSED' },
        { id: 'acct-b', status: 'AVAILABLE' },
      ]);
      const before = upstream.requests.filter((r) => r.headers.authorization === 'Bearer key-a').length;
      const client = new OpenAI({ baseURL: `${second.gateway.url}/v1`, apiKey: 'dummy', maxRetries: 0 });
      for (let i = 0; i < 4; i += 1) await client.chat.completions.create({ model: 'gpt-test', messages: [{ role: 'user', content: 'hi' }] });
      expect(upstream.requests.filter((r) => r.headers.authorization === 'Bearer key-a')).toHaveLength(before);
      await second.data('mutation { resumeAccount(id: "acct-a") { id } }');
    } finally {
      await second.close();
    }
    const third = await AdminHarness.start(config());
    try {
      const data = await third.data<{ accounts: Array<{ id: string; status: string }> }>('{ accounts { id status } }');
      expect(data.accounts.map((a) => a.status)).toEqual(['AVAILABLE', 'AVAILABLE']);
    } finally {
      await third.close();
    }
  });
});
