import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { configWithModels } from '../helpers/temp-config.js';
import { AdminHarness, Feed } from './admin-harness.js';

interface ConfigEvent {
  configEvents: {
    instanceId: string;
    status: string;
    trigger: string;
    version: number;
    summary: string;
    changes: { models: { created: string[] } } | null;
    issues: Array<{ severity: string; line: number | null; column: number | null; path: string; message: string; formatted: string }>;
  };
}

const CONFIG_EVENTS = `subscription {
  configEvents {
    instanceId status trigger version summary
    changes { models { created } }
    issues { severity line column path message formatted }
  }
}`;

async function modelIds(harness: AdminHarness): Promise<string[]> {
  const res = await fetch(`${harness.gateway.url}/v1/models`);
  expect(res.status).toBe(200);
  return ((await res.json()) as { data: Array<{ id: string }> }).data.map((m) => m.id);
}

describe('admin API: config, reloads and configEvents', () => {
  let harness: AdminHarness;

  afterEach(async () => {
    await harness.close();
  });

  describe('with the file watched', () => {
    beforeEach(async () => {
      harness = await AdminHarness.start(configWithModels(['alpha']), { watch: true, instanceId: 'test-instance' });
    });

    it('publishes an applied configEvents event within a second of an edit', async () => {
      const feed = new Feed<ConfigEvent>(harness.socket(), CONFIG_EVENTS);
      await feed.ready();
      const edited = Date.now();
      harness.config.write(configWithModels(['alpha', 'beta']));
      const event = (await feed.nextData(1000)).configEvents;
      expect(Date.now() - edited).toBeLessThan(1000);
      expect(event).toMatchObject({ instanceId: 'test-instance', status: 'APPLIED', trigger: 'FILE', version: 2, issues: [] });
      expect(event.changes?.models.created).toEqual(['beta']);
      expect(event.summary).toContain('+beta');
      expect(await modelIds(harness)).toEqual(['alpha', 'beta']);
    });

    it('publishes a rejected event with line numbers for an invalid edit while /v1 keeps serving', async () => {
      const feed = new Feed<ConfigEvent>(harness.socket(), CONFIG_EVENTS);
      await feed.ready();
      const broken = configWithModels(['alpha', 'beta']).replace('{ id: beta, accounts: [up] }', '{ id: beta, accounts: [nope] }');
      harness.config.write(broken);
      const event = (await feed.nextData(2000)).configEvents;
      expect(event.status).toBe('REJECTED');
      expect(event.version).toBe(1);
      const error = event.issues.find((issue) => issue.severity === 'ERROR');
      expect(error).toMatchObject({ line: 7, path: 'models[1].accounts[0]', message: "unknown account 'nope'" });
      expect(error?.column).toBeGreaterThan(0);
      expect(error?.formatted).toMatch(/gateway\.yaml:7:\d+ models\[1\]\.accounts\[0\]: unknown account 'nope'/);
      expect(await modelIds(harness)).toEqual(['alpha']);

      const status = await harness.data<{ configStatus: { version: number; inSync: boolean; lastResult: { status: string }; lastRejected: { issues: unknown[] } | null } }>(
        '{ configStatus { version inSync lastResult { status } lastRejected { issues { line } } } }',
      );
      expect(status.configStatus).toMatchObject({ version: 1, inSync: false, lastResult: { status: 'REJECTED' } });
      expect(status.configStatus.lastRejected?.issues.length).toBeGreaterThan(0);
    });
  });

  describe('without the watcher', () => {
    beforeEach(async () => {
      harness = await AdminHarness.start(configWithModels(['alpha']));
    });

    it('reloadConfig reports unchanged, applied (and publishes it), and rejected with issues', async () => {
      const mutation = 'mutation($force: Boolean) { reloadConfig(force: $force) { status trigger version summary changes { models { created } } issues { line message } } }';
      const unchanged = await harness.data<{ reloadConfig: { status: string; version: number } }>(mutation);
      expect(unchanged.reloadConfig).toMatchObject({ status: 'UNCHANGED', version: 1 });

      const feed = new Feed<ConfigEvent>(harness.socket(), CONFIG_EVENTS);
      await feed.ready();
      harness.config.write(configWithModels(['alpha', 'gamma']));
      const applied = await harness.data<{ reloadConfig: { status: string; trigger: string; version: number; changes: { models: { created: string[] } } } }>(mutation);
      expect(applied.reloadConfig).toMatchObject({ status: 'APPLIED', trigger: 'ADMIN', version: 2, changes: { models: { created: ['gamma'] } } });
      expect((await feed.nextData()).configEvents).toMatchObject({ status: 'APPLIED', trigger: 'ADMIN', version: 2 });
      expect(await modelIds(harness)).toEqual(['alpha', 'gamma']);

      const forced = await harness.data<{ reloadConfig: { status: string; version: number } }>(mutation, { force: true });
      expect(forced.reloadConfig).toMatchObject({ status: 'APPLIED', version: 3 });

      harness.config.write('models: [\n  { id: x\n');
      const rejected = await harness.data<{ reloadConfig: { status: string; version: number; issues: Array<{ line: number | null }> } }>(mutation);
      expect(rejected.reloadConfig.status).toBe('REJECTED');
      expect(rejected.reloadConfig.version).toBe(3);
      expect(rejected.reloadConfig.issues[0]?.line).toBeGreaterThan(0);
      expect(await modelIds(harness)).toEqual(['alpha', 'gamma']);
    });

    it('validateConfig is a dry run: issues with places, or what would change', async () => {
      const mutation = 'mutation($yaml: String!) { validateConfig(yaml: $yaml) { valid hash summary changes { models { created deleted } } issues { severity line column path message } } }';
      type Result = { validateConfig: { valid: boolean; summary: string; hash: string; changes: { models: { created: string[]; deleted: string[] } } | null; issues: Array<{ severity: string; line: number; path: string; message: string }> } };
      const good = await harness.data<Result>(mutation, { yaml: configWithModels(['alpha', 'delta']) });
      expect(good.validateConfig).toMatchObject({ valid: true, changes: { models: { created: ['delta'], deleted: [] } } });
      expect(good.validateConfig.hash).toMatch(/^[0-9a-f]{64}$/);
      expect(good.validateConfig.summary).toContain('+delta');

      const bad = await harness.data<Result>(mutation, { yaml: configWithModels(['alpha']).replace('accounts: [up]', 'accounts: [ghost]') });
      expect(bad.validateConfig.valid).toBe(false);
      expect(bad.validateConfig.changes).toBeNull();
      expect(bad.validateConfig.issues).toContainEqual(expect.objectContaining({ severity: 'ERROR', line: 6, path: 'models[0].accounts[0]', message: "unknown account 'ghost'" }));
      // Nothing was applied.
      expect(harness.gateway.holder.current().version).toBe(1);
      expect(await modelIds(harness)).toEqual(['alpha']);
    });

    it('config shows the running version with secrets masked', async () => {
      const data = await harness.data<{ config: { version: number; hash: string; file: string; accounts: Array<Record<string, unknown>>; document: Record<string, unknown> } }>(
        '{ config { version hash file loadedAt accounts document } }',
      );
      expect(data.config.version).toBe(1);
      expect(data.config.hash).toBe(harness.gateway.holder.current().hash);
      expect(data.config.accounts[0]).toMatchObject({ id: 'up', apiKey: '***' });
      expect(JSON.stringify(data)).not.toContain('test-key');
    });
  });
});
