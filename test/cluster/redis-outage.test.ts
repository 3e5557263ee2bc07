import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startGateway, type Gateway } from '../../src/main.js';
import { graphqlData } from '../admin/admin-harness.js';
import { FakeOpenAiUpstream } from '../fakes/openai-upstream.js';
import { captureLogs, type LogLine } from '../helpers/log-capture.js';
import { TempConfig } from '../helpers/temp-config.js';
import { waitFor } from '../helpers/wait.js';
import { TcpProxy } from '../limits/tcp-proxy.js';
import { ClusterServices, REDIS_URL, reportSkip, SERVICES_SET } from './cluster-services.js';

/**
 * The cluster link of one instance goes down and comes back (a TCP relay in front of Redis is cut
 * and restored): the instance keeps serving on its own state, says so once and once again when
 * the link is back, and then tells the others what it decided meanwhile (a cooldown).
 */
reportSkip('the cluster link outage suite');

const KEY = 'sk-clb-cluster-outage-0123456789abcdef01234';

describe.skipIf(!SERVICES_SET)('the cluster link of one instance is cut and restored', () => {
  let services: ClusterServices;
  let relay: TcpProxy;
  let primary: FakeOpenAiUpstream;
  let secondary: FakeOpenAiUpstream;
  const configs: TempConfig[] = [];
  const logsA = captureLogs();
  let a: Gateway;
  let b: Gateway;

  const yaml = (redis: string) => `server: { host: 127.0.0.1, port: 0 }
storage: { url: "${services.storageUrl}", batch: { interval: 20ms } }
limits: { store: "${REDIS_URL}" }
cluster: { redis: "${redis}", namespace: "${services.namespace}" }
auth: { enabled: true }
routing: { strategy: round_robin }
accounts:
  - { id: primary, kind: openai, baseUrl: "${primary.url}", apiKey: upstream-1 }
  - { id: secondary, kind: openai, baseUrl: "${secondary.url}", apiKey: upstream-2 }
models:
  - { id: gpt-4o }
keys:
  - { id: k, key: "${KEY}" }
`;
  const start = async (instanceId: string, redis: string, logger = captureLogs().logger) => {
    const config = new TempConfig(yaml(redis));
    configs.push(config);
    return startGateway({ configPath: config.path, watch: false, logger, env: {}, instanceId });
  };
  const ask = async (gateway: Gateway) => {
    const res = await fetch(`${gateway.url}/v1/chat/completions`, {
      method: 'POST',
      headers: { authorization: `Bearer ${KEY}`, 'content-type': 'application/json' },
      body: JSON.stringify({ model: 'gpt-4o', messages: [{ role: 'user', content: 'hi' }] }),
    });
    return res.status;
  };
  const status = async (gateway: Gateway) =>
    (await graphqlData<{ accounts: Array<{ status: string }> }>(`${gateway.url}/graphql`, '{ accounts(id: "primary") { status } }')).accounts[0]?.status;
  const linkLines = linkMessages;

  beforeAll(async () => {
    services = await ClusterServices.open();
    const redis = new URL(REDIS_URL);
    relay = new TcpProxy(redis.hostname, redis.port === '' ? 6379 : Number(redis.port));
    await relay.start();
    primary = await FakeOpenAiUpstream.start({ name: 'primary' });
    secondary = await FakeOpenAiUpstream.start({ name: 'secondary' });
    const through = new URL(REDIS_URL);
    through.hostname = '127.0.0.1';
    through.port = String(relay.port);
    a = await start('outage-a', through.toString().replace(/\/$/, ''), logsA.logger);
    b = await start('outage-b', REDIS_URL);
  });

  afterAll(async () => {
    await Promise.all([a?.close(), b?.close()]);
    await relay?.cut();
    await Promise.all([primary?.close(), secondary?.close()]);
    for (const config of configs) config.remove();
    await services?.dispose();
  });

  it('keeps serving while cut off, logs once down and once back, then shares the cooldown it started meanwhile', async () => {
    await waitFor(async () => (await graphqlData<{ instances: unknown[] }>(`${b.url}/graphql`, '{ instances { instanceId } }')).instances.length === 2, { what: 'both instances in the membership' });
    expect(linkLines(logsA.lines)).toEqual([]);

    await relay.cut();
    await waitFor(() => linkLines(logsA.lines).length === 1, { what: "A's line about the lost link" });
    expect(linkLines(logsA.lines)[0]).toMatch(/^cluster link redis:\/\/127\.0\.0\.1:\d+ is unreachable \(.+\): this instance serves on its own state until it is back$/);

    // Cut off, A still serves, and an upstream 429 cools the account on A only (B cannot hear it).
    primary.failNext({ kind: 'status', status: 429, headers: { 'retry-after': '300' }, body: { error: { message: 'Rate limit reached', type: 'requests', code: 'rate_limit_exceeded' } } });
    const before = primary.requests.length;
    const statuses: number[] = [];
    while (primary.requests.length === before) statuses.push(await ask(a));
    for (let i = 0; i < 4; i++) statuses.push(await ask(a));
    expect(statuses.every((s) => s === 200)).toBe(true);
    expect(await status(a)).toBe('COOLING_DOWN');
    expect(await status(b)).toBe('AVAILABLE');

    await relay.start();
    await waitFor(() => linkLines(logsA.lines).length === 2, { what: "A's line about the link being back", timeoutMs: 15_000 });
    expect(linkLines(logsA.lines)[1]).toMatch(/^cluster link redis:\/\/127\.0\.0\.1:\d+ is reachable again: sharing state with the other instances again$/);
    await waitFor(async () => (await status(b)) === 'COOLING_DOWN', { what: 'B to learn the cooldown A started while cut off' });
    // And A hears the others again (its subscriptions were renewed): B clears the cooldown.
    await graphqlData(`${b.url}/graphql`, 'mutation { clearCooldown(id: "primary") { status } }');
    await waitFor(async () => (await status(a)) === 'AVAILABLE', { what: 'A to hear that B cleared the cooldown' });
    expect(await ask(a)).toBe(200);
    // Exactly one line each way, however many commands failed meanwhile.
    expect(linkLines(logsA.lines)).toHaveLength(2);
  });
});

describe('an unreachable cluster Redis at startup', () => {
  it('does not stop the gateway: it serves alone, says so once, and reloadConfig(all: true) reports why the others were not asked', async () => {
    const upstream = await FakeOpenAiUpstream.start({ name: 'alone' });
    const config = new TempConfig(`server: { host: 127.0.0.1, port: 0 }
storage: { url: "sqlite::memory:" }
cluster: { redis: "redis://127.0.0.1:1" }
accounts:
  - { id: only, kind: openai, baseUrl: "${upstream.url}", apiKey: upstream-1 }
models:
  - { id: gpt-4o }
`);
    const logs = captureLogs();
    const gateway = await startGateway({ configPath: config.path, watch: false, logger: logs.logger, env: {}, instanceId: 'alone' });
    try {
      const res = await fetch(`${gateway.url}/v1/chat/completions`, {
        method: 'POST',
        headers: { authorization: 'Bearer anything', 'content-type': 'application/json' },
        body: JSON.stringify({ model: 'gpt-4o', messages: [{ role: 'user', content: 'hi' }] }),
      });
      expect(res.status).toBe(200);
      const { reloadConfig } = await graphqlData<{ reloadConfig: { status: string; peersError: string | null; instances: Array<{ instanceId: string; result: { status: string } | null }> } }>(
        `${gateway.url}/graphql`,
        'mutation { reloadConfig(all: true) { status peersError instances { instanceId result { status } } } }',
      );
      expect(reloadConfig.status).toBe('UNCHANGED');
      expect(reloadConfig.instances).toEqual([{ instanceId: 'alone', result: { status: 'UNCHANGED' } }]);
      expect(reloadConfig.peersError).toMatch(/^the other instances could not be asked: cluster link redis:\/\/127\.0\.0\.1:1 is unreachable/);
      expect(linkMessages(logs.lines)).toEqual(['cluster link redis://127.0.0.1:1 is unreachable (connect ECONNREFUSED 127.0.0.1:1): this instance serves on its own state until it is back']);
    } finally {
      await gateway.close();
      await upstream.close();
      config.remove();
    }
  });
});

function linkMessages(lines: LogLine[]): string[] {
  return lines.filter((l) => l.msg.startsWith('cluster link ')).map((l) => l.msg);
}
