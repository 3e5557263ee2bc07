import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { renderJsonSchema } from '../../src/config/json-schema.js';
import { loadConfigText } from '../../src/config/load.js';
import { runCli, tempDir } from './run-cli.js';

/** `sk-clb-` and 32 random bytes in base64url: 43 characters, 256 bits. */
const KEY_RE = /^sk-clb-[A-Za-z0-9_-]{43}$/;

interface NewKey {
  id: string;
  key: string;
  keyHash: string;
  yaml: string;
}

async function newKey(...args: string[]): Promise<NewKey> {
  const result = await runCli(['keys', 'new', '--json', ...args]);
  expect(result.code).toBe(0);
  expect(result.stderr).toBe('');
  return JSON.parse(result.stdout) as NewKey;
}

describe('codex-lb keys new', () => {
  it('prints a fresh sk-clb- key with 256 random bits and its sha256 hash', async () => {
    const { key, keyHash } = await newKey();
    expect(key).toMatch(KEY_RE);
    expect(Buffer.from(key.slice('sk-clb-'.length), 'base64url')).toHaveLength(32);
    expect(keyHash).toBe(`sha256:${createHash('sha256').update(key).digest('hex')}`);
  });

  it('never prints the same key twice', async () => {
    const keys = await Promise.all([newKey(), newKey(), newKey()]);
    expect(new Set(keys.map((k) => k.key)).size).toBe(3);
  });

  it('gives a snippet for keys: that holds the hash, not the key, and loads as it is', async () => {
    const { id, key, keyHash, yaml } = await newKey('--id', 'openclaw-dev');
    expect(id).toBe('openclaw-dev');
    expect(yaml).not.toContain(key);
    expect(parse(`keys:\n${yaml}`)).toEqual({ keys: [{ id: 'openclaw-dev', keyHash }] });
    const config = `auth: { enabled: true }\naccounts: [{ id: a, kind: openai, apiKey: x }]\nmodels: [{ id: m }]\nkeys:\n${yaml}`;
    const loaded = loadConfigText(config, 'gateway.yaml', {});
    expect(loaded.issues).toEqual([]);
    expect(loaded.config?.keys[0]).toMatchObject({ id: 'openclaw-dev', keyHash });
  });

  it('makes up a valid id when none is given', async () => {
    expect((await newKey()).id).toMatch(/^key-[0-9a-f]{6}$/);
  });

  it('prints the key, its hash and the snippet for a person, all on stdout', async () => {
    const result = await runCli(['keys', 'new', '--id', 'ci']);
    expect(result.code).toBe(0);
    expect(result.stderr).toBe('');
    const key = /^ {2}(sk-clb-\S+)$/m.exec(result.stdout)?.[1] ?? '';
    expect(key).toMatch(KEY_RE);
    const hash = `sha256:${createHash('sha256').update(key).digest('hex')}`;
    expect(result.stdout).toContain(`keyHash: ${hash}`);
    expect(result.stdout).toContain(`  - id: ci\n    keyHash: ${hash}\n`);
    expect(result.stdout.split(key)).toHaveLength(2); // shown once
  });

  it('refuses an --id that is not a valid id (exit 2)', async () => {
    const result = await runCli(['keys', 'new', '--id', 'has space']);
    expect(result.code).toBe(2);
    expect(result.stdout).toBe('');
    expect(result.stderr).toContain("error: invalid --id 'has space'");
  });
});

describe('codex-lb schema', () => {
  it('prints the JSON Schema, identical to the committed gateway.schema.json', async () => {
    const result = await runCli(['schema']);
    expect(result.code).toBe(0);
    expect(result.stdout).toBe(renderJsonSchema());
    expect(result.stdout).toBe(readFileSync(new URL('../../gateway.schema.json', import.meta.url), 'utf8'));
    expect(JSON.parse(result.stdout)).toMatchObject({ title: 'codex-lb gateway.yaml', type: 'object' });
  });

  it('--write writes it to a file and says so on stderr', async () => {
    const dir = tempDir();
    const result = await runCli(['schema', '--write', 'out.schema.json'], { cwd: dir });
    expect(result).toEqual({ code: 0, stdout: '', stderr: 'wrote out.schema.json\n' });
    expect(readFileSync(join(dir, 'out.schema.json'), 'utf8')).toBe(renderJsonSchema());
  });

  it('exits 1 when the file cannot be written', async () => {
    const result = await runCli(['schema', '--write', join(tempDir(), 'no-such-dir', 'x.json')]);
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/^error: cannot write .*x\.json \(ENOENT\)\n$/);
  });
});
