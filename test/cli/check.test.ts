import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { FIXTURE_ENV, FIXTURE_SECRETS } from '../fixtures/config/env.js';
import { FIXTURES, runCli, tempDir } from './run-cli.js';

const VALID = join(FIXTURES, 'valid');
const INVALID = join(FIXTURES, 'invalid');

function expectedLines(dir: string, name: string): string[] {
  return readFileSync(join(dir, `${name}.expected.txt`), 'utf8').split('\n').filter(Boolean);
}

describe('codex-lb check', () => {
  it('exits 0 for a valid file and says so', async () => {
    const result = await runCli(['check', 'full.yaml'], { cwd: VALID, env: FIXTURE_ENV });
    expect(result).toEqual({ code: 0, stdout: 'full.yaml: valid\n', stderr: '' });
  });

  it('exits 0 for a file with warnings only, listing them', async () => {
    const result = await runCli(['check', 'warnings.yaml'], { cwd: VALID, env: FIXTURE_ENV });
    expect(result.code).toBe(0);
    expect(result.stdout.split('\n').filter(Boolean)).toEqual([...expectedLines(VALID, 'warnings'), 'warnings.yaml: valid (4 warnings)']);
  });

  it('exits 1 for an invalid file: every issue as in the golden file, then a summary', async () => {
    const result = await runCli(['check', 'references.yaml'], { cwd: INVALID, env: FIXTURE_ENV });
    expect(result.code).toBe(1);
    expect(result.stdout.split('\n').filter(Boolean)).toEqual([...expectedLines(INVALID, 'references'), 'references.yaml: invalid: 8 errors, 4 warnings']);
    expect(result.stderr).toBe('');
  });

  it('exits 2 for a file that cannot be read, on stderr', async () => {
    const missing = await runCli(['check', 'no-such.yaml'], { cwd: VALID });
    expect(missing).toEqual({ code: 2, stdout: '', stderr: 'no-such.yaml: file not found\n' });
    const directory = await runCli(['check', 'valid'], { cwd: FIXTURES });
    expect(directory).toEqual({ code: 2, stdout: '', stderr: 'valid: cannot read the file (EISDIR)\n' });
  });

  it('reads $CODEX_LB_CONFIG, else ./gateway.yaml, when no file is given', async () => {
    const dir = tempDir({ 'gateway.yaml': 'models: [{ id: m }]\naccounts: [{ id: a, kind: openai, apiKey: x }]\n', 'other.yaml': 'bogus: 1\n' });
    expect(await runCli(['check'], { cwd: dir })).toMatchObject({ code: 0, stdout: 'gateway.yaml: valid\n' });
    expect(await runCli(['check'], { cwd: dir, env: { CODEX_LB_CONFIG: 'other.yaml' } })).toMatchObject({ code: 1 });
    expect(await runCli(['check'], { cwd: VALID })).toMatchObject({ code: 2, stderr: 'gateway.yaml: file not found\n' });
  });

  describe('--json', () => {
    it('reports a valid file with its hash and warnings', async () => {
      const result = await runCli(['check', 'warnings.yaml', '--json'], { cwd: VALID, env: FIXTURE_ENV });
      expect(result.code).toBe(0);
      const report = JSON.parse(result.stdout) as Record<string, unknown>;
      const sha = createHash('sha256').update(readFileSync(join(VALID, 'warnings.yaml'))).digest('hex');
      expect(report).toMatchObject({ valid: true, file: 'warnings.yaml', hash: sha, errors: 0, warnings: 4 });
      expect(report.issues).toContainEqual({
        severity: 'warning',
        code: 'policy_unused',
        file: 'warnings.yaml',
        line: 13,
        column: 5,
        path: 'policies[0]',
        message: "policy 'unused' is not used by any key or account",
      });
    });

    it('reports an invalid file with every issue as data, exit 1', async () => {
      const result = await runCli(['check', 'references.yaml', '--json'], { cwd: INVALID, env: FIXTURE_ENV });
      expect(result.code).toBe(1);
      const report = JSON.parse(result.stdout) as { valid: boolean; errors: number; warnings: number; issues: Array<Record<string, unknown>> };
      expect(report).toMatchObject({ valid: false, file: 'references.yaml', errors: 8, warnings: 4 });
      expect(report.issues[0]).toEqual({
        severity: 'error',
        code: 'unknown_reference',
        file: 'references.yaml',
        line: 3,
        column: 69,
        path: 'accounts[0].policies[0]',
        message: "unknown policy 'acount-burst' (did you mean 'account-burst'?)",
      });
    });

    it('reports an unreadable file with a null hash, exit 2, still on stdout as JSON', async () => {
      const result = await runCli(['check', 'no-such.yaml', '--json'], { cwd: VALID });
      expect(result.code).toBe(2);
      expect(JSON.parse(result.stdout)).toEqual({
        valid: false,
        file: 'no-such.yaml',
        hash: null,
        errors: 1,
        warnings: 0,
        issues: [{ severity: 'error', code: 'unreadable', file: 'no-such.yaml', line: null, column: null, path: '', message: 'file not found' }],
      });
    });
  });

  describe('never prints a secret', () => {
    const env = { ...FIXTURE_ENV, UPSTREAM_KEY: 'sk-upstream-SECRET-5e6f7a', TEAM: 'team-SECRET-3b2a' };
    const literal = ['sk-literal-SECRET-key-value', 'literal-access-SECRET', 'literal-pw-SECRET'];
    const config = (extra: string) =>
      [
        'admin: { tokens: ["${CODEX_LB_ADMIN_TOKEN}"] }',
        `storage: { url: "mysql://root:${literal[2]}@db:3306/x" }`,
        'accounts:',
        '  - { id: up, kind: openai, apiKey: "${UPSTREAM_KEY}", policies: ["${TEAM}"] }',
        `  - { id: lit, kind: openai, apiKey: ${literal[0]}, baseUrl: "\${OPENAI_BASE_URL:-not a url}" }`,
        `  - { id: seat, kind: chatgpt, tokens: { access: ${literal[1]} } }`,
        'models: [{ id: m }]',
        'keys: [{ id: k, key: "${CODEX_LB_API_KEY}", policies: ["${TEAM}"] }]',
        extra,
      ].join('\n');

    it.each([
      ['valid', ''],
      ['invalid', 'routing: { sticky: { ttl: "${CODEX_LB_API_KEY}" } }\nserver: { port: "${PORT}" }'],
    ])('in human or JSON output for a %s file', async (_kind, extra) => {
      const dir = tempDir({ 'gateway.yaml': config(extra) });
      for (const args of [['check'], ['check', '--json']]) {
        const result = await runCli(args, { cwd: dir, env });
        const output = result.stdout + result.stderr;
        expect(output.length).toBeGreaterThan(0);
        for (const secret of [...FIXTURE_SECRETS, env.UPSTREAM_KEY, env.TEAM, ...literal]) expect(output).not.toContain(secret);
      }
    });
  });
});
