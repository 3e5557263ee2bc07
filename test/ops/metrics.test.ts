import { rmSync } from 'node:fs';
import { dirname } from 'node:path';
import { NotFoundError } from 'openai';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openUsageStore } from '../../src/store/open-store.js';
import { costMicroUsd, resolvePrice } from '../../src/usage/pricing.js';
import { UsageRecorder } from '../../src/usage/recorder.js';
import { quietLogger, tempSpoolDir } from '../store/store-test-helpers.js';
import { waitFor } from '../helpers/wait.js';
import { MetricsHarness } from './metrics-harness.js';
import { sumOf, valueOf, type Scrape } from './prom-text.js';

const TEAM_KEY = 'sk-clb-metrics-team-0000000000000000';
const CI_KEY = 'sk-clb-metrics-ci-00000000000000000000';
const messages = [{ role: 'user' as const, content: 'hi' }];

/** Two keys, one priced model; `extra` is appended (e.g. a second key for the reload test). */
const yaml = (extra = '') => `auth: { enabled: true }
models:
  - { id: gpt-test, upstreamModel: gpt-upstream, pricing: { input: 1, cachedInput: 0.5, output: 2 } }
keys:
  - { id: team, key: "${TEAM_KEY}" }
  - { id: ci, key: "${CI_KEY}" }
${extra}`;

// Fake upstream usage per answer: input 12 (4 cached), output 7 (3 reasoning). At the prices
// above (USD per 1M tokens = micro-USD per token): 8 × 1 + 4 × 0.5 + 7 × 2 = 24 µUSD.
const COST_PER_ANSWER = 24;

describe('GET /metrics after real traffic', () => {
  let h: MetricsHarness;
  let recorder: UsageRecorder;
  let spoolRoot: string;
  let scrape: Scrape;

  beforeAll(async () => {
    // The usage store is down for the whole test (opened, migrated, closed): the recorder keeps
    // the first record in memory and spools the rest, so its gauges have something to show.
    const spoolDir = tempSpoolDir();
    spoolRoot = dirname(spoolDir);
    const store = await openUsageStore(`sqlite:${spoolRoot}/usage.sqlite`, quietLogger());
    await store.close();
    recorder = new UsageRecorder({ writer: store.writer, logger: quietLogger(), spoolDir, bufferLimit: 1, intervalMs: 10, closeTimeoutMs: 200, backoff: { initialMs: 60_000, maxMs: 60_000 } });
    h = await MetricsHarness.start({
      accounts: [
        { id: 'a', fields: 'priority: 0' },
        { id: 'b', fields: 'priority: 1' },
      ],
      yaml: yaml(),
      usageSink: recorder,
      gateway: {
        usageStats: () => recorder.stats(),
        costOf: (model, usage) => costMicroUsd(usage, resolvePrice([model.upstreamModel, model.id], model.config.pricing)),
      },
    });

    const team = h.client(TEAM_KEY);
    // 1. served by a (first by priority)
    await team.chat.completions.create({ model: 'gpt-test', messages });
    // 2. a answers 429 (Retry-After 60): failover to b, a cools down
    h.upstream('a').failNext({ kind: 'status', status: 429, headers: { 'retry-after': '60' } });
    await team.chat.completions.create({ model: 'gpt-test', messages });
    // 3. a stream with the other key: a is resting, so b
    const stream = await h.client(CI_KEY).chat.completions.create({ model: 'gpt-test', messages, stream: true });
    for await (const chunk of stream) void chunk;
    // 4. a model that does not exist: its name must not become a label value
    await expect(team.chat.completions.create({ model: 'no-such-model-x1', messages })).rejects.toBeInstanceOf(NotFoundError);

    // Records are handed over when each response closes; wait for all four, and for the spool.
    await waitFor(async () => sumOf(await h.scrape(), 'codex_lb_requests_total') === 4, { what: 'four requests counted' });
    await waitFor(() => recorder.stats().spoolBytes > 0, { what: 'spool written' });
    scrape = await h.scrape();
  });

  afterAll(async () => {
    await h?.close();
    await recorder?.close();
    rmSync(spoolRoot, { recursive: true, force: true });
  });

  it('counts requests by key, model, account and status', () => {
    const requests = (key: string, model: string, account: string, status: string) => valueOf(scrape, 'codex_lb_requests_total', { key, model, account, status });
    expect(requests('team', 'gpt-test', 'a', '200')).toBe(1);
    expect(requests('team', 'gpt-test', 'b', '200')).toBe(1);
    expect(requests('ci', 'gpt-test', 'b', '200')).toBe(1);
    // Refused before routing: no account, and the made-up model name folded into `_unknown`.
    expect(requests('team', '_unknown', '', '404')).toBe(1);
    expect(scrape.samples.some((s) => Object.values(s.labels).includes('no-such-model-x1'))).toBe(false);
    expect(scrape.types.get('codex_lb_requests_total')).toBe('counter');
  });

  it('counts tokens by type and cost by key', () => {
    const tokens = (key: string, account: string, type: string) => valueOf(scrape, 'codex_lb_tokens_total', { key, model: 'gpt-test', account, type });
    for (const [key, account] of [['team', 'a'], ['team', 'b'], ['ci', 'b']] as const) {
      expect([tokens(key, account, 'input'), tokens(key, account, 'cached_input'), tokens(key, account, 'output'), tokens(key, account, 'reasoning')]).toEqual([12, 4, 7, 3]);
    }
    expect(sumOf(scrape, 'codex_lb_tokens_total', { type: 'input' })).toBe(36);
    expect(valueOf(scrape, 'codex_lb_cost_micro_usd_total', { key: 'team', model: 'gpt-test' })).toBe(2 * COST_PER_ANSWER);
    expect(valueOf(scrape, 'codex_lb_cost_micro_usd_total', { key: 'ci', model: 'gpt-test' })).toBe(COST_PER_ANSWER);
  });

  it('observes latency and time to first byte by model, endpoint and stream', () => {
    const count = (name: string, model: string, stream: string) => valueOf(scrape, `${name}_count`, { model, endpoint: 'chat.completions', stream });
    expect(count('codex_lb_request_duration_seconds', 'gpt-test', 'false')).toBe(2);
    expect(count('codex_lb_request_duration_seconds', 'gpt-test', 'true')).toBe(1);
    expect(count('codex_lb_request_duration_seconds', '_unknown', 'false')).toBe(1);
    expect(count('codex_lb_time_to_first_byte_seconds', 'gpt-test', 'false')).toBe(2);
    expect(count('codex_lb_time_to_first_byte_seconds', 'gpt-test', 'true')).toBe(1);
    // The 404 is the gateway's own error: the histogram of answer bodies does not see it.
    expect(sumOf(scrape, 'codex_lb_time_to_first_byte_seconds_count', { model: '_unknown' })).toBe(0);
    // Every observation lands in the +Inf bucket; the sums are real durations.
    expect(valueOf(scrape, 'codex_lb_request_duration_seconds_bucket', { model: 'gpt-test', endpoint: 'chat.completions', stream: 'true', le: '+Inf' })).toBe(1);
    expect(valueOf(scrape, 'codex_lb_request_duration_seconds_sum', { model: 'gpt-test', endpoint: 'chat.completions', stream: 'false' })).toBeGreaterThan(0);
    expect(scrape.types.get('codex_lb_time_to_first_byte_seconds')).toBe('histogram');
  });

  it('counts the failed upstream attempt and shows the account cooling down', () => {
    expect(valueOf(scrape, 'codex_lb_upstream_errors_total', { account: 'a', kind: 'rate_limited', status: '429' })).toBe(1);
    expect(sumOf(scrape, 'codex_lb_upstream_errors_total')).toBe(1);
    expect(valueOf(scrape, 'codex_lb_account_cooling_down', { account: 'a' })).toBe(1);
    expect(valueOf(scrape, 'codex_lb_account_cooling_down', { account: 'b' })).toBe(0);
    const remaining = valueOf(scrape, 'codex_lb_account_cooldown_remaining_seconds', { account: 'a' });
    expect(remaining).toBeGreaterThan(0);
    expect(remaining).toBeLessThanOrEqual(60);
    expect(valueOf(scrape, 'codex_lb_account_inflight_requests', { account: 'b' })).toBe(0);
  });

  it('reads the usage recorder backlog at scrape time', async () => {
    // bufferLimit 1 and a dead store: one record waits in memory, three went to the spool.
    expect(recorder.stats()).toMatchObject({ queued: 1, spooled: 3 });
    expect(valueOf(scrape, 'codex_lb_usage_queue_records')).toBe(1);
    expect(valueOf(scrape, 'codex_lb_usage_spool_records')).toBe(3);
    expect(valueOf(scrape, 'codex_lb_usage_store_consecutive_failures')).toBeGreaterThanOrEqual(1);
    // The spool appends to disk in the background: a scrape shows the size at its own moment.
    await waitFor(async () => valueOf(await h.scrape(), 'codex_lb_usage_spool_bytes') === recorder.stats().spoolBytes, { what: 'spool size in a scrape' });
  });

  it('includes the Node process metrics and no secret', async () => {
    expect(valueOf(scrape, 'process_resident_memory_bytes')).toBeGreaterThan(0);
    expect(scrape.types.get('nodejs_eventloop_lag_seconds')).toBe('gauge');
    const text = await (await fetch(`${h.localUrl}/metrics`)).text();
    for (const secret of [TEAM_KEY, CI_KEY, 'upstream-secret-a', 'upstream-secret-b']) expect(text).not.toContain(secret);
  });

  it('reports a rejected reload, then an applied one, with its time', async () => {
    const before = await h.scrape();
    expect(valueOf(before, 'codex_lb_config_last_reload_success')).toBe(1);
    expect(valueOf(before, 'codex_lb_config_version')).toBe(1);
    const startedAt = valueOf(before, 'codex_lb_config_last_reload_success_timestamp_seconds');
    expect(startedAt * 1000).toBe(h.gateway.holder.current().loadedAt.getTime());
    expect(valueOf(before, 'codex_lb_config_reloads_total', { result: 'rejected' })).toBe(0);

    const rejected = await h.rewrite(yaml('  - { id: broken, key: "too-short" }\n'));
    expect(rejected.status).toBe('rejected');
    const afterReject = await h.scrape();
    expect(valueOf(afterReject, 'codex_lb_config_last_reload_success')).toBe(0);
    expect(valueOf(afterReject, 'codex_lb_config_reloads_total', { result: 'rejected' })).toBe(1);
    expect(valueOf(afterReject, 'codex_lb_config_reloads_total', { result: 'applied' })).toBe(0);
    expect(valueOf(afterReject, 'codex_lb_config_last_reload_success_timestamp_seconds')).toBe(startedAt);

    const applied = await h.rewrite(yaml('  - { id: extra, key: "sk-clb-metrics-extra-000000000000" }\n'));
    expect(applied.status).toBe('applied');
    const afterApply = await h.scrape();
    expect(valueOf(afterApply, 'codex_lb_config_last_reload_success')).toBe(1);
    expect(valueOf(afterApply, 'codex_lb_config_reloads_total', { result: 'applied' })).toBe(1);
    expect(valueOf(afterApply, 'codex_lb_config_version')).toBe(2);
    expect(valueOf(afterApply, 'codex_lb_config_last_reload_success_timestamp_seconds')).toBe(applied.at.getTime() / 1000);
  });
});

describe('/metrics with the gateway\'s own usage recorder', () => {
  let h: MetricsHarness;
  let dir: string;
  beforeAll(async () => {
    dir = dirname(tempSpoolDir());
    // Batches of up to 1,000 records written once an hour: whatever is recorded waits in memory.
    h = await MetricsHarness.start({
      accounts: [{ id: 'a' }],
      yaml: yaml(),
      storage: `url: "sqlite:${dir}/usage.sqlite", spoolDir: "${dir}/spool", batch: { size: 1000, interval: 1h }`,
    });
  });
  afterAll(async () => {
    await h?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('reports its queue', async () => {
    const team = h.client(TEAM_KEY);
    for (let i = 0; i < 3; i++) await team.chat.completions.create({ model: 'gpt-test', messages });
    const scrape = await waitFor(async () => {
      const page = await h.scrape();
      return sumOf(page, 'codex_lb_requests_total') === 3 ? page : null;
    }, { what: 'three requests counted' });
    expect(valueOf(scrape, 'codex_lb_usage_queue_records')).toBe(3);
    expect(valueOf(scrape, 'codex_lb_usage_spool_records')).toBe(0);
    expect(valueOf(scrape, 'codex_lb_usage_store_consecutive_failures')).toBe(0);
  });
});
