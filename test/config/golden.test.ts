import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { formatIssue } from '../../src/config/issues.js';
import { loadConfigText, type LoadedConfig } from '../../src/config/load.js';
import { FIXTURE_ENV } from '../fixtures/config/env.js';

/**
 * Golden fixtures: each `valid/*.yaml` loads (its warnings are listed in `*.expected.txt`), each
 * `invalid/*.yaml` is refused with exactly the `formatIssue` lines of its `*.expected.txt`.
 * After a deliberate change to messages, `UPDATE_GOLDEN=1 npx vitest run test/config` rewrites
 * the expectations: review the diff before committing it.
 */
const ROOT = fileURLToPath(new URL('../fixtures/config/', import.meta.url));
const UPDATE = process.env.UPDATE_GOLDEN === '1';

/** Every issue code the config code can produce from a file's text, each shown by some fixture. */
const CODES = [
  'yaml_syntax',
  'env_missing',
  'unknown_key',
  'missing_field',
  'invalid_value',
  'duplicate_id',
  'duplicate_key',
  'unknown_reference',
  'fallback_cycle',
  'model_unserved',
  'policy_unused',
  'no_keys',
  'key_expired',
  'no_models',
  'cluster_not_shared',
];

const seenCodes = new Set<string>();

function fixtures(kind: 'valid' | 'invalid'): string[] {
  return readdirSync(join(ROOT, kind))
    .filter((name) => name.endsWith('.yaml'))
    .sort();
}

function load(kind: 'valid' | 'invalid', name: string): LoadedConfig {
  return loadConfigText(readFileSync(join(ROOT, kind, name), 'utf8'), name, FIXTURE_ENV);
}

function expectGolden(kind: 'valid' | 'invalid', name: string, loaded: LoadedConfig): void {
  const expectedPath = join(ROOT, kind, `${basename(name, '.yaml')}.expected.txt`);
  const actual = loaded.issues.map((issue) => `${formatIssue(issue)}\n`).join('');
  if (UPDATE) writeFileSync(expectedPath, actual);
  if (!existsSync(expectedPath)) {
    throw new Error(`${kind}/${name} has no expected-issues file: run UPDATE_GOLDEN=1 npx vitest run test/config and review it`);
  }
  expect(actual, `${kind}/${name}: issues differ from ${basename(expectedPath)} (UPDATE_GOLDEN=1 rewrites it)`).toBe(
    readFileSync(expectedPath, 'utf8'),
  );
}

describe('valid config fixtures', () => {
  it.each(fixtures('valid'))('%s loads, with exactly its expected warnings', (name) => {
    const loaded = load('valid', name);
    loaded.issues.forEach((issue) => seenCodes.add(issue.code));
    expect(loaded.issues.filter((issue) => issue.severity === 'error')).toEqual([]);
    expect(loaded.config).not.toBeNull();
    expectGolden('valid', name, loaded);
  });
});

describe('invalid config fixtures', () => {
  it.each(fixtures('invalid'))('%s is refused with exactly its expected issues', (name) => {
    const loaded = load('invalid', name);
    loaded.issues.forEach((issue) => seenCodes.add(issue.code));
    expect(loaded.config).toBeNull();
    expect(loaded.issues.some((issue) => issue.severity === 'error')).toBe(true);
    for (const issue of loaded.issues) expect(issue.file).toBe(name);
    expectGolden('invalid', name, loaded);
  });

  it('every issue code is exercised by some fixture', () => {
    expect([...seenCodes].sort()).toEqual(expect.arrayContaining(CODES));
  });
});

describe('unreadable files', () => {
  it('a missing file is reported as unreadable, not as invalid content', async () => {
    const { loadConfigFile } = await import('../../src/config/load.js');
    const loaded = await loadConfigFile(join(ROOT, 'does-not-exist.yaml'), FIXTURE_ENV);
    expect(loaded.unreadable).toBe(true);
    expect(loaded.config).toBeNull();
    expect(loaded.issues.map(formatIssue)).toEqual([`${loaded.file}: file not found`]);
  });

  it('a directory is reported as unreadable with the reason', async () => {
    const { loadConfigFile } = await import('../../src/config/load.js');
    const loaded = await loadConfigFile(ROOT, FIXTURE_ENV);
    expect(loaded.unreadable).toBe(true);
    expect(loaded.issues[0]?.message).toBe('cannot read the file (EISDIR)');
  });
});
