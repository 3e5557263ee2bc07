import OpenAI from 'openai';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startGateway, type Gateway } from '../../src/main.js';
import { createLogger } from '../../src/shared/logger.js';
import { openUsageStore, type UsageStore } from '../../src/store/open-store.js';
import type { RequestLogEntry } from '../../src/usage/usage-query.js';
import { FakeOpenAiUpstream } from '../fakes/openai-upstream.js';
import { TempConfig } from '../helpers/temp-config.js';
import { waitFor } from '../helpers/wait.js';
import { mariadbTarget, sqliteTarget, type StoreTarget, type StoreTargetFactory } from './store-targets.js';

/**
 * Usage of real requests through a running gateway (openai SDK → gateway → fake upstream) lands
 * in the store with the right tokens and cost, and the admin API's `usage` and `requests` answer
 * what the store holds. Run on SQLite and, when CODEX_LB_TEST_MYSQL_URL is set, on MariaDB.
 */
const mysqlUrl = process.env.CODEX_LB_TEST_MYSQL_URL;
const targets: Array<[string, StoreTargetFactory]> = [['sqlite', sqliteTarget]];
if (mysqlUrl) targets.push(['mariadb', mariadbTarget(mysqlUrl)]);
else console.log('[test/store] CODEX_LB_TEST_MYSQL_URL is not set: gateway usage runs on SQLite only');

const KEY_A = 'sk-clb-usage-test-key-a-0123456789abcdef';
const KEY_B = 'sk-clb-usage-test-key-b-0123456789abcdef';

// The fake upstream reports 12 input (4 cached), 7 output (3 reasoning) tokens per answer.
// priced: override {2, 1, 10} USD/1M → 8×2 + 4×1 + 7×10 = 90 µUSD.
// builtin: upstream gpt-4o-2024-11-20 → gpt-4o {2.5, 1.25, 10} → 20 + 5 + 70 = 95 µUSD.
// unpriced: no price anywhere → null, never 0.
const configText = (storageUrl: string, upstream: string) => `server: { host: 127.0.0.1, port: 0 }
storage: { url: "${storageUrl}", batch: { interval: 20ms } }
auth: { enabled: true }
accounts:
  - { id: up, kind: openai, baseUrl: "${upstream}", apiKey: upstream-secret }
models:
  - { id: priced, pricing: { input: 2, cachedInput: 1, output: 10 } }
  - { id: builtin, upstreamModel: gpt-4o-2024-11-20 }
  - { id: unpriced, upstreamModel: house-model-7 }
keys:
  - { id: key-a, key: "${KEY_A}" }
  - { id: key-b, key: "${KEY_B}" }
`;

describe.each(targets)('usage through the gateway (%s)', (_name, factory) => {
  let target: StoreTarget;
  let upstream: FakeOpenAiUpstream;
  let config: TempConfig;
  let gateway: Gateway;
  let reader: UsageStore;

  beforeAll(async () => {
    target = await factory();
    upstream = await FakeOpenAiUpstream.start({ name: 'up' });
    config = new TempConfig(configText(target.url, upstream.url));
    gateway = await startGateway({ configPath: config.path, watch: false, logger: createLogger({ level: 'silent' }), env: {} });
    reader = await openUsageStore(target.url, createLogger({ level: 'silent' }), { migrate: false });
  });

  afterAll(async () => {
    await gateway?.close();
    await reader?.close();
    await upstream?.close();
    config?.remove();
    await target?.dispose();
  });

  const client = (key: string) => new OpenAI({ baseURL: `${gateway.url}/v1`, apiKey: key, maxRetries: 0 });
  const gql = async <T>(query: string, variables: Record<string, unknown> = {}): Promise<T> => {
    const res = await fetch(`${gateway.url}/graphql`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ query, variables }) });
    const body = (await res.json()) as { data?: T; errors?: unknown[] };
    if (res.status !== 200 || body.errors || !body.data) throw new Error(`GraphQL ${res.status}: ${JSON.stringify(body.errors)}`);
    return body.data;
  };
  const logged = async (count: number): Promise<RequestLogEntry[]> =>
    waitFor(async () => {
      const page = await reader.query.requestLog({ limit: 100 });
      return page.items.length >= count ? page.items : null;
    }, { what: `${count} request-log rows` });

  it('records every request with its key, account, tokens and cost (known, built-in, unknown)', async () => {
    const messages = [{ role: 'user' as const, content: 'hi' }];
    const a = await client(KEY_A).chat.completions.create({ model: 'priced', messages });
    const stream = await client(KEY_A).chat.completions.create({ model: 'builtin', messages, stream: true });
    for await (const _chunk of stream) void _chunk;
    await client(KEY_B).responses.create({ model: 'unpriced', input: 'hi' });
    // Refused before routing: a model the gateway does not know still yields one record.
    await expect(client(KEY_B).chat.completions.create({ model: 'nope', messages })).rejects.toMatchObject({ status: 404 });

    const rows = await logged(4);
    expect(rows).toHaveLength(4);
    const byModel = new Map(rows.map((row) => [row.model, row]));
    expect(byModel.get('priced')).toMatchObject({
      requestId: a._request_id ?? expect.any(String),
      keyId: 'key-a',
      accountId: 'up',
      endpoint: 'chat.completions',
      stream: false,
      status: 200,
      usage: { inputTokens: 12, cachedInputTokens: 4, outputTokens: 7, reasoningTokens: 3 },
      costMicroUsd: 90,
    });
    expect(byModel.get('builtin')).toMatchObject({ keyId: 'key-a', stream: true, status: 200, upstreamModel: 'gpt-4o-2024-11-20', costMicroUsd: 95, usage: { inputTokens: 12, outputTokens: 7 } });
    expect(byModel.get('unpriced')).toMatchObject({ keyId: 'key-b', endpoint: 'responses', status: 200, costMicroUsd: null, usage: { inputTokens: 12 } });
    expect(byModel.get('nope')).toMatchObject({ keyId: 'key-b', accountId: null, status: 404, errorCode: 'model_not_found', attempts: 0, usage: null });
    for (const row of rows) expect(row.userAgent).toMatch(/^OpenAI\/JS/);
  });

  it('answers usage and requests over the admin API exactly as the store has them', async () => {
    const from = Date.now() - 3_600_000;
    const to = Date.now() + 60_000;
    const range = { from: new Date(from).toISOString(), to: new Date(to).toISOString() };
    const stored = await reader.query.grouped({ from, to }, ['key']);
    const report = await gql<{ usage: { totals: Record<string, number>; rows: Array<{ group: { keyId: string }; totals: Record<string, number> }> } }>(
      `query($range: TimeRangeInput) { usage(range: $range, groupBy: [KEY]) {
        totals { requests errors inputTokens cachedInputTokens outputTokens reasoningTokens costMicroUsd unpricedRequests }
        rows { group { keyId } totals { requests errors inputTokens outputTokens costMicroUsd unpricedRequests } } } }`,
      { range },
    );
    expect(report.usage.totals).toEqual({ requests: 4, errors: 1, inputTokens: 36, cachedInputTokens: 12, outputTokens: 21, reasoningTokens: 9, costMicroUsd: 185, unpricedRequests: 2 });
    expect(report.usage.rows.map((row) => ({ keyId: row.group.keyId, ...row.totals }))).toEqual(
      stored.map((row) => ({
        keyId: row.group.keyId,
        requests: row.requests,
        errors: row.errors,
        inputTokens: row.inputTokens,
        outputTokens: row.outputTokens,
        costMicroUsd: row.costMicroUsd,
        unpricedRequests: row.unpricedRequests,
      })),
    );
    expect(report.usage.rows.find((row) => row.group.keyId === 'key-a')?.totals).toMatchObject({ requests: 2, costMicroUsd: 185 });

    const page = await gql<{ requests: { edges: Array<{ node: { requestId: string; keyId: string; model: string; costMicroUsd: number | null } }> } }>(
      `{ requests(first: 10, filter: { keyId: "key-b" }) { edges { node { requestId keyId model costMicroUsd } } } }`,
    );
    const storedB = (await reader.query.requestLog({ limit: 10, keyId: 'key-b' })).items;
    expect(page.requests.edges.map((edge) => edge.node)).toEqual(storedB.map((row) => ({ requestId: row.requestId, keyId: row.keyId, model: row.model, costMicroUsd: row.costMicroUsd })));
    expect(storedB).toHaveLength(2);
  });

  it('keeps the config revision log: the startup revision and each reload, applied or rejected', async () => {
    config.write(configText(target.url, upstream.url).replace('id: key-b,', 'id: key-c,'));
    expect((await gateway.reloader.reload('admin')).status).toBe('applied');
    config.write(`${configText(target.url, upstream.url)}bogus: 1\n`);
    expect((await gateway.reloader.reload('admin')).status).toBe('rejected');
    const revisions = await waitFor(async () => {
      const list = await reader.configRevisions.list();
      return list.length >= 3 ? list : null;
    }, { what: 'three config revisions' });
    expect(revisions.map((r) => [r.status, r.trigger, r.version])).toEqual([
      ['rejected', 'admin', 2],
      ['applied', 'admin', 2],
      ['applied', 'startup', 1],
    ]);
    expect(JSON.stringify(revisions[0]!.issues)).toContain('bogus');
    expect(JSON.stringify(revisions)).not.toContain(KEY_A);
  });
});
