import { RateLimitError } from 'openai';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Feed } from '../admin/admin-harness.js';
import { FakeOpenAiUpstream } from '../fakes/openai-upstream.js';
import { waitFor } from '../helpers/wait.js';
import { ClusterServices, reportSkip, SERVICES_SET } from './cluster-services.js';
import { InstanceProcess } from './instance-process.js';

/**
 * Two gateway processes (the built CLI) on different ports, one MariaDB database and one Redis
 * namespace, in front of two fake OpenAI upstreams: they behave as one gateway. Each instance has
 * its own copy of gateway.yaml, as on two machines.
 */
reportSkip('the two-instance cluster suite');

const KEY_LIMITED = 'sk-clb-cluster-limited-0123456789abcdef0123';
const KEY_FREE = 'sk-clb-cluster-free-00123456789abcdef0123456';
const LIMIT = 5;

const gatewayYaml = (services: ClusterServices, primary: string, secondary: string, extraModel = '') => `server: { host: 127.0.0.1, port: 0 }
${services.yaml()}auth: { enabled: true }
routing: { strategy: round_robin, sticky: { enabled: true, ttl: 30m } }
accounts:
  - { id: primary, kind: openai, baseUrl: "${primary}", apiKey: upstream-secret-1 }
  - { id: secondary, kind: openai, baseUrl: "${secondary}", apiKey: upstream-secret-2 }
models:
  - { id: gpt-4o }
${extraModel}policies:
  - { id: per-minute, requests: { limit: ${LIMIT}, per: 1m } }
keys:
  - { id: limited, key: "${KEY_LIMITED}", policies: [per-minute] }
  - { id: free, key: "${KEY_FREE}" }
`;

const chat = { model: 'gpt-4o', messages: [{ role: 'user' as const, content: 'hi' }] };

interface RequestEvent {
  requestCompleted: { requestId: string; instanceId: string; keyId: string; accountId: string | null; status: number };
}

describe.skipIf(!SERVICES_SET)('two gateway processes on MariaDB + Redis', () => {
  let services: ClusterServices;
  let primary: FakeOpenAiUpstream;
  let secondary: FakeOpenAiUpstream;
  let a: InstanceProcess;
  let b: InstanceProcess;
  let sent = 0;

  /** One chat completion with the free key; returns which upstream answered and the request id. */
  const ask = async (instance: InstanceProcess, headers: Record<string, string> = {}) => {
    const { data, response } = await instance.client(KEY_FREE).chat.completions.create(chat, { headers }).withResponse();
    sent += 1;
    return { servedBy: String(data.choices[0]?.message.content).replace('Hello from ', ''), requestId: response.headers.get('x-request-id') };
  };

  beforeAll(async () => {
    services = await ClusterServices.open();
    primary = await FakeOpenAiUpstream.start({ name: 'primary' });
    secondary = await FakeOpenAiUpstream.start({ name: 'secondary' });
    const yaml = gatewayYaml(services, primary.url, secondary.url);
    // One after the other: the first one migrates the fresh database.
    a = await InstanceProcess.start('instance-a', yaml);
    b = await InstanceProcess.start('instance-b', yaml);
  });

  afterAll(async () => {
    await Promise.all([a?.stop(), b?.stop()]);
    await Promise.all([primary?.close(), secondary?.close()]);
    await services?.dispose();
  });

  it('both joined the cluster: each lists both instances, running the same config', async () => {
    const query = '{ instances { instanceId self configHash url } }';
    const seen = await waitFor(async () => {
      const list = (await a.gql<{ instances: Array<{ instanceId: string; self: boolean; configHash: string; url: string }> }>(query)).instances;
      return list.length === 2 ? list : null;
    }, { what: 'both instances in the membership' });
    expect(seen.map((i) => [i.instanceId, i.self, i.url])).toEqual([
      ['instance-a', true, a.url],
      ['instance-b', false, b.url],
    ]);
    expect(new Set(seen.map((i) => i.configHash)).size).toBe(1);
    expect((await b.gql<{ instances: Array<{ instanceId: string; self: boolean }> }>(query)).instances.map((i) => [i.instanceId, i.self])).toEqual([
      ['instance-b', true],
      ['instance-a', false],
    ]);
  });

  it(`a key limited to ${LIMIT} requests per minute, alternating instances: exactly ${LIMIT} succeed`, async () => {
    let served = 0;
    let refused = 0;
    for (let i = 0; i < 2 * LIMIT; i++) {
      const instance = i % 2 === 0 ? a : b;
      try {
        await instance.client(KEY_LIMITED).chat.completions.create(chat);
        served += 1;
      } catch (error) {
        if (!(error instanceof RateLimitError)) throw error;
        expect(error.code).toBe('rate_limit_exceeded');
        refused += 1;
      }
      sent += 1;
    }
    expect({ served, refused }).toEqual({ served: LIMIT, refused: LIMIT });
  });

  it('a subscription on instance A sees the requests instance B serves, with B\'s instance id', async () => {
    const feed = new Feed<RequestEvent>(a.socket(), 'subscription { requestCompleted(filter: { keyId: "free" }) { requestId instanceId keyId accountId status } }');
    // A's own request proves the subscription is live before B serves one.
    const local = await waitFor(async () => {
      const { requestId } = await ask(a);
      const event = (await feed.nextData(2_000).catch(() => null))?.requestCompleted;
      return event?.requestId === requestId ? event : null;
    }, { what: "A's own request on A's feed", timeoutMs: 15_000 });
    expect(local.instanceId).toBe('instance-a');
    const remote = await ask(b);
    const event = (await feed.nextData(10_000)).requestCompleted;
    expect(event).toMatchObject({ requestId: remote.requestId, instanceId: 'instance-b', keyId: 'free', status: 200 });
    expect(['primary', 'secondary']).toContain(event.accountId);
    feed.unsubscribe();
  });

  it('a session bound on A stays on its account when its next turns go to B', async () => {
    // B hears A's events in the order A published them: once A's request reached B's feed, so did
    // the session binding A made before answering it.
    const feedOnB = new Feed<RequestEvent>(b.socket(), 'subscription { requestCompleted(filter: { keyId: "free" }) { requestId instanceId } }');
    await waitFor(async () => {
      const { requestId } = await ask(b);
      return (await feedOnB.nextData(2_000).catch(() => null))?.requestCompleted.requestId === requestId;
    }, { what: "B's feed to be live", timeoutMs: 15_000 });
    const session = { 'x-session-id': `conversation-${Date.now()}` };
    const first = await ask(a, session);
    await waitFor(async () => (await feedOnB.nextData(5_000)).requestCompleted.requestId === first.requestId, { what: "A's request on B's feed" });
    // Round robin over two accounts alternates: once B has just served the session's account to
    // another request, B alone would send the session's next turn to the other account.
    await waitFor(async () => (await ask(b)).servedBy === first.servedBy, { what: `B to serve a request from ${first.servedBy}` });
    const next = [await ask(b, session), await ask(b, session), await ask(b, session)];
    expect(next.map((r) => r.servedBy)).toEqual([first.servedBy, first.servedBy, first.servedBy]);
    feedOnB.unsubscribe();
  });

  it('an upstream 429 seen by A makes B route away from that account, and clearing it on B frees it on A', async () => {
    const events = new Feed<{ accountEvents: { instanceId: string; changes: string[]; status: string } }>(
      a.socket(),
      'subscription { accountEvents(accountId: "primary") { instanceId changes status } }',
    );
    primary.failNext({ kind: 'status', status: 429, headers: { 'retry-after': '300' }, body: { error: { message: 'Rate limit reached for requests', type: 'requests', code: 'rate_limit_exceeded' } } });
    const failedBefore = primary.requests.length;
    // Round robin: within two requests A offers the primary account, which answers 429; the
    // request itself fails over and is served.
    await waitFor(async () => {
      await ask(a);
      return primary.requests.length > failedBefore;
    }, { what: 'A to try the primary account' });
    const status = '{ accounts(id: "primary") { status } }';
    expect((await a.gql<{ accounts: Array<{ status: string }> }>(status)).accounts[0]?.status).toBe('COOLING_DOWN');
    await waitFor(async () => (await b.gql<{ accounts: Array<{ status: string }> }>(status)).accounts[0]?.status === 'COOLING_DOWN', { what: 'B to see the cooldown' });
    const onPrimary = primary.requests.length;
    const served = [await ask(b), await ask(b), await ask(b), await ask(b)];
    expect(served.map((r) => r.servedBy)).toEqual(['secondary', 'secondary', 'secondary', 'secondary']);
    expect(primary.requests.length).toBe(onPrimary);

    // Both instances' changes reach the subscriber on A, each with its instance id.
    const cooled = new Set<string>();
    await waitFor(async () => {
      const event = (await events.nextData(5_000)).accountEvents;
      if (event.changes.includes('COOLDOWN') && event.status === 'COOLING_DOWN') cooled.add(event.instanceId);
      return cooled.size === 2;
    }, { what: 'cooldown events of both instances on A', timeoutMs: 20_000 });

    await b.gql('mutation { clearCooldown(id: "primary") { status } }');
    await waitFor(async () => (await a.gql<{ accounts: Array<{ status: string }> }>(status)).accounts[0]?.status === 'AVAILABLE', { what: 'A to see the cooldown cleared' });
    events.unsubscribe();
  });

  it('an account paused on A is paused on B; resumed on B, it is back on A', async () => {
    const status = '{ accounts(id: "secondary") { status } }';
    type Status = { accounts: Array<{ status: string }> };
    await a.gql('mutation { pauseAccount(id: "secondary", reason: "rotating credentials") { status } }');
    await waitFor(async () => (await b.gql<Status>(status)).accounts[0]?.status === 'PAUSED', { what: 'B to see the pause' });
    expect((await ask(b)).servedBy).toBe('primary');
    await b.gql('mutation { resumeAccount(id: "secondary") { status } }');
    await waitFor(async () => (await a.gql<Status>(status)).accounts[0]?.status === 'AVAILABLE', { what: 'A to see the resume' });
  });

  it('usage totals agree on both instances: one history', async () => {
    const query = '{ usage(range: { preset: TODAY }) { totals { requests errors inputTokens outputTokens costMicroUsd } } }';
    type Totals = { usage: { totals: { requests: number; errors: number; inputTokens: number; outputTokens: number; costMicroUsd: number } } };
    const onA = await waitFor(async () => {
      const totals = (await a.gql<Totals>(query)).usage.totals;
      return totals.requests === sent ? totals : null;
    }, { what: `${sent} requests in the usage of A` });
    const onB = (await b.gql<Totals>(query)).usage.totals;
    expect(onB).toEqual(onA);
    expect(onA.errors).toBe(LIMIT);
    expect(onA.inputTokens).toBeGreaterThan(0);
  });

  it('reloadConfig(all: true) reloads each instance\'s own file and reports every result', async () => {
    const socket = a.socket();
    const configEvents = new Feed<{ configEvents: { instanceId: string; status: string; summary: string } }>(socket, 'subscription { configEvents { instanceId status summary } }');
    // A later subscription on the same socket that is live proves the first one is too: a config
    // event published before the server set it up would be missed (and the test with it).
    const probe = new Feed<RequestEvent>(socket, 'subscription { requestCompleted(filter: { keyId: "free" }) { requestId } }');
    await waitFor(async () => {
      const { requestId } = await ask(a);
      return (await probe.nextData(2_000).catch(() => null))?.requestCompleted.requestId === requestId;
    }, { what: "A's subscriptions live", timeoutMs: 15_000 });
    probe.unsubscribe();
    const edited = gatewayYaml(services, primary.url, secondary.url, '  - { id: gpt-4o-mini }\n');
    a.writeConfig(edited);
    b.writeConfig(edited);
    const { reloadConfig } = await a.gql<{ reloadConfig: { status: string; peersError: string | null; instances: Array<{ instanceId: string; error: string | null; result: { status: string; version: number; summary: string } | null }> } }>(
      'mutation { reloadConfig(all: true) { status peersError instances { instanceId error result { status version summary } } } }',
    );
    expect(reloadConfig.status).toBe('APPLIED');
    expect(reloadConfig.peersError).toBeNull();
    expect(reloadConfig.instances).toEqual([
      { instanceId: 'instance-a', error: null, result: { status: 'APPLIED', version: 2, summary: 'models: +gpt-4o-mini' } },
      { instanceId: 'instance-b', error: null, result: { status: 'APPLIED', version: 2, summary: 'models: +gpt-4o-mini' } },
    ]);
    const models = (await b.client(KEY_FREE).models.list()).data.map((m) => m.id);
    expect(models).toContain('gpt-4o-mini');
    const seen = new Set<string>();
    await waitFor(async () => {
      const event = (await configEvents.nextData(5_000)).configEvents;
      if (event.status === 'APPLIED' && event.summary === 'models: +gpt-4o-mini') seen.add(event.instanceId);
      return seen.size === 2;
    }, { what: 'config events of both instances on A' });
    configEvents.unsubscribe();
  });

  it('both stop cleanly and leave the membership', async () => {
    await b.stop();
    expect(await b.exited).toBe(0);
    expect(b.messages()).toContain('codex-lb stopped');
    const list = (await a.gql<{ instances: Array<{ instanceId: string }> }>('{ instances { instanceId } }')).instances;
    expect(list.map((i) => i.instanceId)).toEqual(['instance-a']);
  });
});
