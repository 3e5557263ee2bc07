import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startGateway, type Gateway } from '../../src/main.js';
import type { ReloadResult } from '../../src/runtime/events.js';
import { captureLogs } from '../helpers/log-capture.js';
import { configWithModels, TempConfig } from '../helpers/temp-config.js';
import { waitFor } from '../helpers/wait.js';

async function modelIds(gateway: Gateway): Promise<string[]> {
  const res = await fetch(`${gateway.url}/v1/models`);
  const body = (await res.json()) as { data: Array<{ id: string }> };
  return body.data.map((m) => m.id);
}

describe('live reload', () => {
  let config: TempConfig;
  let gateway: Gateway;
  let logs: ReturnType<typeof captureLogs>;
  const events: ReloadResult[] = [];

  beforeEach(async () => {
    config = new TempConfig(configWithModels(['alpha']));
    logs = captureLogs();
    gateway = await startGateway({ configPath: config.path, logger: logs.logger, env: {} });
    events.length = 0;
    gateway.bus.subscribe('config.applied', (e) => events.push(e));
    gateway.bus.subscribe('config.rejected', (e) => events.push(e));
  });

  afterEach(async () => {
    await gateway.close();
    config.remove();
  });

  it('serves the models of the file it started with', async () => {
    expect(await modelIds(gateway)).toEqual(['alpha']);
    expect(gateway.holder.current().version).toBe(1);
  });

  it('applies an edit to the file: /v1/models changes and an applied event is published', async () => {
    config.write(configWithModels(['alpha', 'beta']));
    // The issue's promise: an edit is live within a second (debounce is 100 ms).
    await waitFor(async () => (await modelIds(gateway)).includes('beta'), { what: 'beta to be served', timeoutMs: 1000 });
    const applied = await waitFor(() => events.find((e) => e.status === 'applied'));
    expect(applied).toMatchObject({ trigger: 'file', version: 2, status: 'applied' });
    expect(applied.changes?.models.created).toEqual(['beta']);
    expect(applied.summary).toContain('+beta');
  });

  it('applies a save-by-rename (how many editors save)', async () => {
    config.writeByRename(configWithModels(['gamma']));
    await waitFor(async () => (await modelIds(gateway)).join() === 'gamma', { what: 'gamma only' });
    // The watch survives the rename: a second save is seen too.
    config.writeByRename(configWithModels(['gamma', 'delta']));
    await waitFor(async () => (await modelIds(gateway)).join() === 'gamma,delta', { what: 'second save' });
    expect(gateway.holder.current().version).toBe(3);
  });

  it('rejects an invalid edit: keeps serving the old models and publishes every issue with line numbers', async () => {
    const broken = configWithModels(['alpha', 'beta']).replace('accounts: [up] }\n  - { id: beta, accounts: [up] }', 'accounts: [up] }\n  - { id: beta, accounts: [nope] }');
    config.write(`${broken}policies:\n  - { id: p1, requests: { limit: 1, per: 5x } }\n`);
    const rejected = await waitFor(() => events.find((e) => e.status === 'rejected'), { what: 'rejected event' });
    expect(await modelIds(gateway)).toEqual(['alpha']);
    expect(gateway.holder.current().version).toBe(1);
    const errors = rejected.issues.filter((i) => i.severity === 'error');
    expect(errors.map((i) => [i.path, i.line])).toEqual([
      ['models[1].accounts[0]', 7],
      ['policies[0].requests.per', 9],
    ]);
    expect(errors[0]!.message).toBe("unknown account 'nope'");
    // Every issue is logged once, with its place.
    await waitFor(() => logs.lines.some((l) => l.msg.includes('gateway.yaml:9:')));
    expect(logs.lines.filter((l) => l.msg.includes("unknown account 'nope'"))).toHaveLength(1);
    // Fixing the file recovers.
    config.write(configWithModels(['alpha', 'beta']));
    await waitFor(async () => (await modelIds(gateway)).includes('beta'), { what: 'recovery' });
  });

  it('applies server.timeouts to the running listener', async () => {
    expect([gateway.server.headersTimeout, gateway.server.requestTimeout]).toEqual([15_000, 60_000]);
    config.write(configWithModels(['alpha']).replace('port: 0 }', 'port: 0, timeouts: { headers: 3s, request: 2s } }'));
    await gateway.reloader.reload('admin');
    // A request timeout below the headers timeout is raised to it (Node refuses the opposite).
    await waitFor(() => gateway.server.headersTimeout === 3_000 && gateway.server.requestTimeout === 3_000, { what: 'new timeouts' });
  });

  it('treats an unchanged save as a no-op', async () => {
    const result = await gateway.reloader.reload('admin');
    expect(result.status).toBe('unchanged');
    config.write(configWithModels(['alpha']));
    await new Promise((resolve) => setTimeout(resolve, 400));
    expect(events).toEqual([]);
    expect(gateway.holder.current().version).toBe(1);
    const forced = await gateway.reloader.reload('admin', { force: true });
    expect(forced).toMatchObject({ status: 'applied', version: 2 });
  });

  it('never overlaps reloads: concurrent calls are serialised and coalesced', async () => {
    config.write(configWithModels(['alpha', 'one']));
    const results = await Promise.all([
      gateway.reloader.reload('admin'),
      gateway.reloader.reload('admin'),
      gateway.reloader.reload('admin'),
    ]);
    const statuses = results.map((r) => r.status);
    expect(statuses.filter((s) => s === 'applied')).toHaveLength(1);
    // The queued calls shared one run that found the file already applied.
    expect(results[1]).toBe(results[2]);
    expect(gateway.holder.current().version).toBe(2);
  });

  it('keeps the captured snapshot for requests already in flight', async () => {
    const before = gateway.holder.current();
    config.write(configWithModels(['zeta']));
    const result = await gateway.reloader.reload('admin');
    expect(result.status).toBe('applied');
    expect([...before.models.keys()]).toEqual(['alpha']);
    expect([...gateway.holder.current().models.keys()]).toEqual(['zeta']);
    expect(Object.isFrozen(before.config)).toBe(true);
  });

  it('rejects a deleted file and keeps serving', async () => {
    config.remove();
    const result = await gateway.reloader.reload('admin');
    expect(result.status).toBe('rejected');
    expect(result.issues[0]).toMatchObject({ code: 'unreadable', message: 'file not found' });
    expect(await modelIds(gateway)).toEqual(['alpha']);
  });
});
