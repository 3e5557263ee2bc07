import { describe, expect, it } from 'vitest';
import { runCli, tempDir } from './run-cli.js';

const env = { OLD_KEY: 'sk-old-SECRET-1a2b', NEW_KEY: 'sk-new-SECRET-3c4d', SECRET_MODEL: 'model-SECRET-5e6f' };

const OLD = `
routing: { strategy: capacity_weighted }
storage: { url: "mysql://root:old-pw-SECRET@db:3306/x" }
accounts:
  - { id: openai-main, kind: openai, apiKey: "\${OLD_KEY}" }
  - { id: seat, kind: chatgpt, tokens: { access: old-access-SECRET } }
  - { id: retired, kind: openai, apiKey: retired-key-SECRET }
models:
  - { id: gpt-4o, accounts: [openai-main] }
  - { id: gone }
  - { id: "\${SECRET_MODEL}" }
policies:
  - { id: team, requests: { limit: 60, per: 1m } }
keys:
  - { id: ci, key: "literal-client-key-SECRET-0", policies: [team] }
`;

const NEW = `
routing: { strategy: round_robin }
storage: { url: "mysql://root:new-pw-SECRET@db:3306/x" }
accounts:
  - { id: openai-main, kind: openai, apiKey: "\${NEW_KEY}", weight: 2 }
  - { id: seat, kind: chatgpt, tokens: { access: new-access-SECRET } }
  - { id: added, kind: openai, apiKey: added-key-SECRET }
models:
  - { id: gpt-4o, accounts: [openai-main] }
  - { id: gpt-4o-mini }
policies:
  - { id: team, requests: { limit: 120, per: 1m } }
keys:
  - { id: ci, key: "literal-client-key-SECRET-1", policies: [team] }
`;

const SECRETS = [...Object.values(env), 'old-pw', 'new-pw', 'old-access', 'new-access', 'retired-key', 'added-key', 'literal-client-key'];

function expectNoSecrets(output: string): void {
  for (const secret of SECRETS) expect(output).not.toContain(secret);
  expect(output).not.toContain('SECRET');
}

describe('codex-lb diff', () => {
  const dir = tempDir({ 'old.yaml': OLD, 'new.yaml': NEW, 'bad.yaml': 'accounts: [{ id: a, kind: openai }]\n' });

  it('lists created, updated (field names only) and deleted entries and changed settings', async () => {
    const result = await runCli(['diff', 'old.yaml', 'new.yaml'], { cwd: dir, env });
    expect(result.code).toBe(0);
    expect(result.stdout).toBe(
      [
        'accounts:',
        '  + added',
        '  ~ openai-main (apiKey, weight)',
        '  ~ seat (tokens)',
        '  - retired',
        'models:',
        '  + gpt-4o-mini',
        '  - gone',
        '  - ***',
        'keys:',
        '  ~ ci (key)',
        'policies:',
        '  ~ team (requests)',
        'settings: storage, routing',
        '',
      ].join('\n'),
    );
    expectNoSecrets(result.stdout + result.stderr);
  });

  it('--json gives the changes, the summary and both files’ check reports', async () => {
    const result = await runCli(['diff', 'old.yaml', 'new.yaml', '--json'], { cwd: dir, env });
    expect(result.code).toBe(0);
    expectNoSecrets(result.stdout + result.stderr);
    const report = JSON.parse(result.stdout) as Record<string, unknown>;
    expect(report.changes).toEqual({
      settings: ['storage', 'routing'],
      accounts: { created: ['added'], updated: [{ id: 'openai-main', fields: ['apiKey', 'weight'] }, { id: 'seat', fields: ['tokens'] }], deleted: ['retired'] },
      models: { created: ['gpt-4o-mini'], updated: [], deleted: ['gone', '***'] },
      keys: { created: [], updated: [{ id: 'ci', fields: ['key'] }], deleted: [] },
      policies: { created: [], updated: [{ id: 'team', fields: ['requests'] }], deleted: [] },
    });
    expect(report.summary).toBe('accounts: +added ~openai-main(apiKey,weight) ~seat(tokens) -retired; models: +gpt-4o-mini -gone -***; keys: ~ci(key); policies: ~team(requests); settings: storage, routing');
    expect(report.old).toMatchObject({ valid: true, file: 'old.yaml' });
    expect(report.new).toMatchObject({ valid: true, file: 'new.yaml' });
  });

  it('says "no changes" for identical configs', async () => {
    expect(await runCli(['diff', 'old.yaml', 'old.yaml'], { cwd: dir, env })).toEqual({ code: 0, stdout: 'no changes\n', stderr: '' });
  });

  it('exits 1 when either file is invalid, printing its errors on stderr', async () => {
    const result = await runCli(['diff', 'old.yaml', 'bad.yaml'], { cwd: dir, env });
    expect(result.code).toBe(1);
    expect(result.stdout).toBe('');
    expect(result.stderr).toBe("bad.yaml is invalid:\n  bad.yaml:1:12 accounts[0].apiKey: missing required field 'apiKey'\n");
    const json = await runCli(['diff', 'bad.yaml', 'old.yaml', '--json'], { cwd: dir, env });
    expect(json.code).toBe(1);
    expect(JSON.parse(json.stdout)).toMatchObject({ old: { valid: false, errors: 1 }, new: { valid: true }, changes: null, summary: null });
  });

  it('exits 2 when either file cannot be read', async () => {
    const result = await runCli(['diff', 'old.yaml', 'missing.yaml'], { cwd: dir, env });
    expect(result).toEqual({ code: 2, stdout: '', stderr: 'cannot read missing.yaml:\n  missing.yaml: file not found\n' });
    const json = await runCli(['diff', 'missing.yaml', 'old.yaml', '--json'], { cwd: dir, env });
    expect(json.code).toBe(2);
    expect(JSON.parse(json.stdout)).toMatchObject({ old: { valid: false, hash: null }, changes: null });
  });
});
