import OpenAI from 'openai';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { FakeOpenAiUpstream } from '../fakes/openai-upstream.js';
import { waitFor } from '../helpers/wait.js';
import { AdminHarness, Feed } from './admin-harness.js';

const KEY = 'sk-clb-admin-test-key-0123456789';
const OTHER_KEY = 'sk-clb-other-test-key-0123456789';
const LIMITED_KEY = 'sk-clb-limited-test-key-0123456789';
const messages = [{ role: 'user' as const, content: 'hi' }];

interface RequestEvent {
  requestCompleted: {
    requestId: string;
    keyId: string;
    accountId: string | null;
    model: string;
    endpoint: string;
    stream: boolean;
    status: number;
    usage: { inputTokens: number; cachedInputTokens: number; outputTokens: number; reasoningTokens: number; totalTokens: number } | null;
    latencyMs: number;
    instanceId: string | null;
  };
}

const REQUESTS = `subscription($filter: RequestEventFilter) {
  requestCompleted(filter: $filter) {
    requestId keyId accountId model endpoint stream status latencyMs instanceId
    usage { inputTokens cachedInputTokens outputTokens reasoningTokens totalTokens }
  }
}`;

describe('admin API over a live proxy', () => {
  let harness: AdminHarness;
  let a: FakeOpenAiUpstream;
  let b: FakeOpenAiUpstream;
  let client: OpenAI;

  beforeAll(async () => {
    a = await FakeOpenAiUpstream.start({ name: 'a' });
    b = await FakeOpenAiUpstream.start({ name: 'b' });
    harness = await AdminHarness.start(
      `server: { host: 127.0.0.1, port: 0 }
storage: { url: "sqlite::memory:" }
auth: { enabled: true }
routing: { strategy: round_robin, sticky: { enabled: false } }
accounts:
  - { id: acct-a, kind: openai, baseUrl: "${a.url}", apiKey: key-a }
  - { id: acct-b, kind: openai, baseUrl: "${b.url}", apiKey: key-b }
models:
  - { id: gpt-test, upstreamModel: gpt-upstream }
keys:
  - { id: team-key, key: "${KEY}" }
  - { id: other-key, key: "${OTHER_KEY}" }
  - { id: limited-key, key: "${LIMITED_KEY}", policies: [team] }
policies:
  - { id: team, requests: { limit: 10, per: 1m }, tokens: { limit: 1000, per: 1h }, costUsd: { limit: 5, per: 1d }, concurrency: 3 }
`,
      { instanceId: 'live-1' },
    );
    client = new OpenAI({ baseURL: `${harness.gateway.url}/v1`, apiKey: KEY, maxRetries: 0 });
  });

  afterAll(async () => {
    await harness.close();
    await a.close();
    await b.close();
  });

  beforeEach(() => {
    a.reset();
    b.reset();
  });

  const posts = (upstream: FakeOpenAiUpstream) => upstream.requests.filter((r) => r.method === 'POST').length;

  it('publishes requestCompleted with the key, the account and the tokens of each /v1 request', async () => {
    const feed = new Feed<RequestEvent>(harness.socket(), REQUESTS, { filter: { keyId: 'team-key' } });
    await feed.ready();

    // A request of another key is filtered out.
    const other = new OpenAI({ baseURL: `${harness.gateway.url}/v1`, apiKey: OTHER_KEY, maxRetries: 0 });
    await other.chat.completions.create({ model: 'gpt-test', messages });
    await client.chat.completions.create({ model: 'gpt-test', messages });
    const event = (await feed.nextData()).requestCompleted;
    expect(event).toMatchObject({
      keyId: 'team-key',
      model: 'gpt-test',
      endpoint: 'CHAT_COMPLETIONS',
      stream: false,
      status: 200,
      instanceId: 'live-1',
      usage: { inputTokens: 12, cachedInputTokens: 4, outputTokens: 7, reasoningTokens: 3, totalTokens: 19 },
    });
    // The account is the one whose upstream saw the team key's request.
    const upstreamOf = (id: string | null) => (id === 'acct-a' ? a : id === 'acct-b' ? b : null);
    expect(upstreamOf(event.accountId)?.requests.some((r) => r.method === 'POST')).toBe(true);
    expect(event.latencyMs).toBeGreaterThanOrEqual(0);

    // Streams report the tokens read from the SSE tap.
    const stream = await client.chat.completions.create({ model: 'gpt-test', messages, stream: true, stream_options: { include_usage: true } });
    for await (const chunk of stream) void chunk;
    const streamed = (await feed.nextData()).requestCompleted;
    expect(streamed).toMatchObject({ keyId: 'team-key', stream: true, status: 200, usage: { inputTokens: 12, outputTokens: 7 } });
    expect(streamed.accountId).not.toBe(event.accountId);
    feed.unsubscribe();
  });

  it('pauseAccount stops routing to the account until resumeAccount, and accountEvents says so', async () => {
    const events = new Feed<{ accountEvents: { accountId: string; changes: string[]; previousStatus: string; status: string; account: { pause: { reason: string } | null } } }>(
      harness.socket(),
      'subscription { accountEvents(accountId: "acct-a") { accountId changes previousStatus status account { pause { reason } } } }',
    );
    await events.ready();
    const paused = await harness.data<{ pauseAccount: { id: string; status: string; available: boolean; unavailableReason: string; pause: { reason: string; since: string } } }>(
      'mutation { pauseAccount(id: "acct-a", reason: "rotating keys") { id status available unavailableReason pause { reason since } } }',
    );
    expect(paused.pauseAccount).toMatchObject({ id: 'acct-a', status: 'PAUSED', available: false, pause: { reason: 'rotating keys' } });
    expect(paused.pauseAccount.unavailableReason).toContain('rotating keys');
    expect((await events.nextData()).accountEvents).toMatchObject({
      accountId: 'acct-a',
      changes: expect.arrayContaining(['STATUS', 'PAUSE']),
      previousStatus: 'AVAILABLE',
      status: 'PAUSED',
      account: { pause: { reason: 'rotating keys' } },
    });

    for (let i = 0; i < 4; i++) await client.chat.completions.create({ model: 'gpt-test', messages });
    expect(posts(a)).toBe(0);
    expect(posts(b)).toBe(4);
    const model = await harness.data<{ models: Array<{ id: string; availableAccounts: number; accounts: Array<{ id: string; status: string }> }> }>(
      '{ models { id availableAccounts accounts { id status } } }',
    );
    expect(model.models[0]).toMatchObject({ availableAccounts: 1, accounts: [{ id: 'acct-a', status: 'PAUSED' }, { id: 'acct-b', status: 'AVAILABLE' }] });

    const resumed = await harness.data<{ resumeAccount: { status: string; pause: null } }>('mutation { resumeAccount(id: "acct-a") { status pause { reason } } }');
    expect(resumed.resumeAccount).toEqual({ status: 'AVAILABLE', pause: null });
    expect((await events.nextData()).accountEvents).toMatchObject({ previousStatus: 'PAUSED', status: 'AVAILABLE' });
    for (let i = 0; i < 4; i++) await client.chat.completions.create({ model: 'gpt-test', messages });
    expect(posts(a)).toBe(2);
    events.unsubscribe();
  });

  it('shows a cooldown after an upstream 429 and clearCooldown ends it', async () => {
    a.setFault({ kind: 'status', status: 429, headers: { 'retry-after': '120' }, body: { error: { message: 'slow down', type: 'rate_limit_error', code: 'rate_limit_exceeded' } } });
    try {
      // Whichever account is tried first, a's failure fails over to b and cools a down.
      for (let i = 0; i < 2; i++) await client.chat.completions.create({ model: 'gpt-test', messages });
    } finally {
      a.setFault(null);
    }
    type AccountView = { id: string; status: string; cooldown: { until: string; remainingMs: number; rateLimited: boolean } | null; lastError: { message: string } | null };
    const cooling = await waitFor(async () => {
      const data = await harness.data<{ accounts: AccountView[] }>('{ accounts(id: "acct-a") { id status cooldown { until remainingMs rateLimited } lastError { message } } }');
      return data.accounts[0]?.status === 'COOLING_DOWN' ? data.accounts[0] : null;
    });
    expect(cooling.cooldown?.rateLimited).toBe(true);
    expect(cooling.cooldown?.remainingMs).toBeGreaterThan(60_000);
    expect(cooling.lastError).not.toBeNull();

    const cleared = await harness.data<{ clearCooldown: AccountView }>('mutation { clearCooldown(id: "acct-a") { id status cooldown { until } } }');
    expect(cleared.clearCooldown).toMatchObject({ id: 'acct-a', status: 'AVAILABLE', cooldown: null });
    for (let i = 0; i < 2; i++) await client.chat.completions.create({ model: 'gpt-test', messages });
    expect(posts(a)).toBeGreaterThanOrEqual(1);
  });

  it('refuses mutations on unknown accounts with NOT_FOUND', async () => {
    const res = await harness.gql('mutation { pauseAccount(id: "ghost") { id } }');
    expect(res.errors?.[0]?.extensions?.code).toBe('NOT_FOUND');
  });

  it('lists keys without their secrets, with what remains of each policy window', async () => {
    const limited = new OpenAI({ baseURL: `${harness.gateway.url}/v1`, apiKey: LIMITED_KEY, maxRetries: 0 });
    for (let i = 0; i < 2; i++) await limited.chat.completions.create({ model: 'gpt-test', messages });
    type Limit = { policy: string; kind: string; limit: number; per: string | null; used: number | null; remaining: number | null; resetsAt: string | null };
    const data = await harness.data<{ keys: Array<{ id: string; enabled: boolean; expired: boolean; models: string[] | null; policies: Array<{ id: string }>; limits: Limit[] }> }>(
      '{ keys { id enabled expired models policies { id } limits { policy kind limit per used remaining resetsAt } } }',
    );
    expect(data.keys.map((k) => k.id)).toEqual(['team-key', 'other-key', 'limited-key']);
    expect(JSON.stringify(data)).not.toContain(KEY);
    const key = data.keys[2]!;
    expect(key.policies).toEqual([{ id: 'team' }]);
    const byKind = Object.fromEntries(key.limits.map((l) => [l.kind, l]));
    expect(byKind.REQUESTS).toMatchObject({ policy: 'team', limit: 10, per: '1m', used: 2, remaining: 8 });
    expect(Date.parse(byKind.REQUESTS!.resetsAt ?? '')).toBeGreaterThan(Date.now());
    // Tokens are charged when each request ends: 12 in + 7 out per request from the fake upstream.
    await waitFor(async () => {
      const again = await harness.data<{ keys: Array<{ limits: Limit[] }> }>('{ keys { limits { kind used remaining } } }');
      return again.keys[2]!.limits.find((l) => l.kind === 'TOKENS')?.used === 38;
    });
    expect(byKind.COST_USD).toMatchObject({ limit: 5, per: '1d' });
    expect(byKind.CONCURRENCY).toMatchObject({ limit: 3, per: null, used: 0, remaining: 3 });
  });
});
