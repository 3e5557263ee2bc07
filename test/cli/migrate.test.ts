import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli, tempDir } from './run-cli.js';

const BASE = 'accounts: [{ id: a, kind: openai, apiKey: x }]\nmodels: [{ id: m }]\n';

describe('codex-lb migrate', () => {
  it('migrates a fresh SQLite store (creating its directory), then finds it up to date', async () => {
    const dir = tempDir({ 'gateway.yaml': `${BASE}storage: { url: "sqlite:./data/usage.sqlite" }\n` });
    const first = await runCli(['migrate'], { cwd: dir });
    expect(first.code).toBe(0);
    expect(first.stdout).toMatch(/^sqlite:\.\/data\/usage\.sqlite: applied \S+/);
    expect(existsSync(join(dir, 'data', 'usage.sqlite'))).toBe(true);
    const second = await runCli(['migrate', '--config', 'gateway.yaml'], { cwd: dir });
    expect(second).toEqual({ code: 0, stdout: 'sqlite:./data/usage.sqlite: schema is up to date\n', stderr: '' });
  });

  it('exits 1 with the config errors when the config is invalid, 2 when it cannot be read', async () => {
    const dir = tempDir({ 'bad.yaml': 'storage: { url: "postgres://db/x" }\n' });
    const invalid = await runCli(['migrate', '-c', 'bad.yaml'], { cwd: dir });
    expect(invalid.code).toBe(1);
    expect(invalid.stderr).toContain('bad.yaml:1:17 storage.url:');
    expect(await runCli(['migrate', '-c', 'missing.yaml'], { cwd: dir })).toEqual({ code: 2, stdout: '', stderr: 'missing.yaml: file not found\n' });
  });

  it('exits 1 when the store is unreachable, without printing its password', async () => {
    const dir = tempDir({
      'literal.yaml': `${BASE}storage: { url: "mysql://root:pw-SECRET@127.0.0.1:1/codex" }\n`,
      'from-env.yaml': `${BASE}storage: { url: "mysql://root:\${DB_PASSWORD}@127.0.0.1:1/codex" }\n`,
    });
    const literal = await runCli(['migrate', '-c', 'literal.yaml'], { cwd: dir });
    expect(literal.code).toBe(1);
    expect(literal.stderr).toContain('error: cannot migrate mysql://root:***@127.0.0.1:1/codex:');
    expect(literal.stdout + literal.stderr).not.toContain('SECRET');
    const fromEnv = await runCli(['migrate', '-c', 'from-env.yaml'], { cwd: dir, env: { DB_PASSWORD: 'db-pw-SECRET' } });
    expect(fromEnv.code).toBe(1);
    expect(fromEnv.stderr).toContain('error: cannot migrate storage.url:');
    expect(fromEnv.stdout + fromEnv.stderr).not.toContain('SECRET');
  });
});
