import { spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { CLI_BIN as BIN, startCli } from '../helpers/cli-process.js';
import { configWithModels } from '../helpers/temp-config.js';
import { waitFor } from '../helpers/wait.js';

const DEFAULT_CONFIG = fileURLToPath(new URL('../../gateway.yaml', import.meta.url));

async function modelIds(url: string): Promise<string[]> {
  const body = (await (await fetch(`${url}/v1/models`)).json()) as { data: Array<{ id: string }> };
  return body.data.map((m) => m.id);
}

describe('the gateway as a process', () => {
  const dirs: string[] = [];
  const children: ChildProcess[] = [];
  const tempDir = () => {
    const dir = mkdtempSync(join(tmpdir(), 'codex-lb-proc-'));
    dirs.push(dir);
    return dir;
  };
  afterEach(() => {
    for (const child of children.splice(0)) if (child.exitCode === null) child.kill('SIGKILL');
    for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
  });

  it('starts on the default gateway.yaml with no credentials anywhere, then stops on SIGTERM', async () => {
    const dir = tempDir();
    // The shipped file, on an ephemeral port so the test never collides with a running gateway.
    writeFileSync(join(dir, 'gateway.yaml'), readFileSync(DEFAULT_CONFIG, 'utf8').replace('port: 2455', 'port: 0'));
    const gateway = startCli([], dir);
    children.push(gateway.child);
    const url = await gateway.url();
    expect(await modelIds(url)).toEqual(['gpt-5.3-codex', 'gpt-5.3-codex-spark', 'gpt-4o', 'gpt-4o-mini']);
    expect(gateway.stdout()).toContain("account 'codex-1' is unavailable: auth file ~/.codex/auth.json not found");
    expect(gateway.stdout()).toContain("account 'openai-1' is unavailable: no API key");
    gateway.child.kill('SIGTERM');
    expect(await gateway.exited).toBe(0);
    expect(gateway.stdout()).toContain('codex-lb stopped');
  });

  it('reloads on SIGHUP (with the file watcher off)', async () => {
    const dir = tempDir();
    const file = join(dir, 'gateway.yaml');
    writeFileSync(file, configWithModels(['alpha']));
    const gateway = startCli(['--config', file, '--no-watch'], dir);
    children.push(gateway.child);
    const url = await gateway.url();
    writeFileSync(file, configWithModels(['alpha', 'beta']));
    gateway.child.kill('SIGHUP');
    await waitFor(async () => (await modelIds(url)).includes('beta'), { what: 'beta after SIGHUP' });
    expect(gateway.stdout()).toMatch(/"trigger":"signal".*config applied: models: \+beta/);
    gateway.child.kill('SIGTERM');
    expect(await gateway.exited).toBe(0);
  });

  it('exits non-zero at startup on an invalid file, with the same messages as `check`', async () => {
    const dir = tempDir();
    const file = join(dir, 'gateway.yaml');
    writeFileSync(file, `${configWithModels(['alpha'])}keys:\n  - { id: k, key: short, policies: [team-defualt] }\npolicies:\n  - { id: team-default, requests: { limit: 1, per: 1m } }\n`);
    const gateway = startCli([], dir);
    children.push(gateway.child);
    expect(await gateway.exited).toBe(1);
    const lines = gateway.stderr().trim().split('\n');
    expect(lines.slice(0, 2)).toEqual([
      'gateway.yaml:8:19 keys[0].key: an API key must be at least 16 characters',
      "gateway.yaml:8:37 keys[0].policies[0]: unknown policy 'team-defualt' (did you mean 'team-default'?)",
    ]);
    expect(lines.at(-1)).toBe('codex-lb: invalid configuration in gateway.yaml');
    // Exactly the issue lines `codex-lb check` prints for the same file (warnings included).
    const check = spawnSync(process.execPath, [BIN, 'check', 'gateway.yaml'], { cwd: dir, encoding: 'utf8', env: { PATH: process.env.PATH } });
    expect(check.status).toBe(1);
    const checkIssues = check.stdout.split('\n').filter((line) => /^gateway\.yaml:\d+:\d+ /.test(line));
    expect(lines.slice(0, -1)).toEqual(checkIssues);
  });
});
