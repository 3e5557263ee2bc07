import { keyHash } from '../shared/hashing.js';
import { didYouMean } from './did-you-mean.js';
import { formatPath, type ConfigIssue, type ConfigPath } from './issues.js';
import type { YamlSource } from './yaml-source.js';

/**
 * Cross-references: duplicate ids, every id that points elsewhere, and the warnings that do not
 * block (a model nobody serves, an unused policy). It reads the raw data leniently so that it can
 * report alongside schema errors: all problems at once.
 */
type Section = 'accounts' | 'models' | 'policies' | 'keys';
type Entry = { index: number; value: Record<string, unknown> };

export function referenceIssues(source: YamlSource): ConfigIssue[] {
  const issues: ConfigIssue[] = [];
  const report = (severity: ConfigIssue['severity'], code: string, path: ConfigPath, message: string) => {
    const pos = source.locate(path);
    issues.push({ severity, code, file: source.file, line: pos?.line ?? null, column: pos?.column ?? null, path: formatPath(path), message });
  };
  const root = isRecord(source.data) ? source.data : {};
  const entries = (section: Section): Entry[] =>
    (Array.isArray(root[section]) ? (root[section] as unknown[]) : [])
      .map((value, index) => ({ index, value }))
      .filter((e): e is Entry => isRecord(e.value));

  const ids = {} as Record<Section, string[]>;
  for (const section of ['accounts', 'models', 'policies', 'keys'] as const) {
    const seen = new Set<string>();
    ids[section] = [];
    for (const { index, value } of entries(section)) {
      if (typeof value.id !== 'string') continue;
      if (seen.has(value.id)) report('error', 'duplicate_id', [section, index, 'id'], `duplicate ${singular(section)} id '${value.id}'`);
      seen.add(value.id);
      ids[section].push(value.id);
    }
  }

  // Model names clients can send: ids and aliases, each naming one model.
  const modelNames = new Set(ids.models);
  const modelIds = new Set(ids.models);
  for (const { index, value } of entries('models')) {
    strings(value.aliases).forEach((alias, i) => {
      if (modelNames.has(alias)) report('error', 'duplicate_id', ['models', index, 'aliases', i], `alias '${alias}' is already a model id or alias`);
      modelNames.add(alias);
    });
  }

  const checkRefs = (owner: ConfigPath, field: string, list: unknown, target: Section, known: readonly string[]) => {
    if (!Array.isArray(list)) return;
    const knownSet = new Set(known);
    list.forEach((ref, i) => {
      if (typeof ref !== 'string' || knownSet.has(ref)) return;
      report('error', 'unknown_reference', [...owner, field, i], `unknown ${singular(target)} '${ref}'${didYouMean(ref, known)}`);
    });
  };

  const allModelNames = [...modelNames];
  for (const { index, value } of entries('models')) {
    checkRefs(['models', index], 'accounts', value.accounts, 'accounts', ids.accounts);
    if (typeof value.fallback === 'string') {
      if (!modelNames.has(value.fallback)) {
        report('error', 'unknown_reference', ['models', index, 'fallback'], `unknown model '${value.fallback}'${didYouMean(value.fallback, allModelNames)}`);
      } else if (value.fallback === value.id) {
        report('error', 'fallback_cycle', ['models', index, 'fallback'], 'a model cannot fall back to itself');
      }
    }
  }
  reportFallbackCycles(entries('models'), report);
  for (const { index, value } of entries('accounts')) {
    checkRefs(['accounts', index], 'policies', value.policies, 'policies', ids.policies);
    checkRefs(['accounts', index], 'models', value.models, 'models', allModelNames);
  }
  for (const { index, value } of entries('policies')) checkRefs(['policies', index], 'models', value.models, 'models', allModelNames);
  for (const { index, value } of entries('keys')) {
    checkRefs(['keys', index], 'policies', value.policies, 'policies', ids.policies);
    checkRefs(['keys', index], 'models', value.models, 'models', allModelNames);
  }
  reportDuplicateKeys(entries('keys'), report);
  reportWarnings(root, entries, modelIds, report);
  return issues;
}

type Report = (severity: ConfigIssue['severity'], code: string, path: ConfigPath, message: string) => void;

function reportFallbackCycles(models: Entry[], report: Report): void {
  const fallbackOf = new Map<string, string>();
  for (const { value } of models) {
    if (typeof value.id === 'string' && typeof value.fallback === 'string' && value.fallback !== value.id) {
      fallbackOf.set(value.id, value.fallback);
    }
  }
  for (const { index, value } of models) {
    if (typeof value.id !== 'string' || !fallbackOf.has(value.id)) continue;
    const chain = [value.id];
    let next = fallbackOf.get(value.id);
    while (next !== undefined && !chain.includes(next)) {
      chain.push(next);
      next = fallbackOf.get(next);
    }
    if (next === value.id) report('error', 'fallback_cycle', ['models', index, 'fallback'], `fallback cycle: ${[...chain, next].join(' -> ')}`);
  }
}

/** Two entries granting the same secret would make attribution ambiguous. */
function reportDuplicateKeys(keys: Entry[], report: Report): void {
  const seen = new Map<string, string>();
  for (const { index, value } of keys) {
    const hash = typeof value.key === 'string' ? keyHash(value.key) : typeof value.keyHash === 'string' ? value.keyHash : undefined;
    if (hash === undefined) continue;
    const other = seen.get(hash);
    if (other !== undefined) report('error', 'duplicate_key', ['keys', index], `same key as '${other}'`);
    else seen.set(hash, String(value.id));
  }
}

function reportWarnings(root: Record<string, unknown>, entries: (s: Section) => Entry[], modelIds: Set<string>, report: Report): void {
  const accounts = entries('accounts').filter((a) => a.value.enabled !== false);
  for (const { index, value } of entries('models')) {
    if (typeof value.id !== 'string' || value.enabled === false) continue;
    const explicit = Array.isArray(value.accounts);
    const servers = explicit
      ? accounts.filter((a) => strings(value.accounts).includes(String(a.value.id)))
      : accounts.filter((a) => !Array.isArray(a.value.models) || strings(a.value.models).includes(String(value.id)));
    if (servers.length === 0) report('warning', 'model_unserved', ['models', index], `no enabled account serves model '${value.id}'`);
  }
  const used = new Set<string>();
  for (const section of ['accounts', 'keys'] as const) {
    for (const { value } of entries(section)) strings(value.policies).forEach((p) => used.add(p));
  }
  for (const { index, value } of entries('policies')) {
    if (typeof value.id === 'string' && !used.has(value.id)) report('warning', 'policy_unused', ['policies', index], `policy '${value.id}' is not used by any key or account`);
  }
  const auth = isRecord(root.auth) ? root.auth : {};
  if (auth.enabled === true && entries('keys').length === 0) report('warning', 'no_keys', ['auth', 'enabled'], 'auth is enabled but no keys are configured: every /v1 request will be refused');
  for (const { index, value } of entries('keys')) {
    if (typeof value.expiresAt === 'string' && Date.parse(value.expiresAt) < Date.now()) {
      report('warning', 'key_expired', ['keys', index, 'expiresAt'], `key '${String(value.id)}' has expired`);
    }
  }
  if (modelIds.size === 0) report('warning', 'no_models', [], 'no models are configured: /v1 serves nothing');
}

function singular(section: Section): string {
  return { accounts: 'account', models: 'model', policies: 'policy', keys: 'key' }[section];
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

function strings(value: unknown): string[] {
  return Array.isArray(value) ? value.filter((v): v is string => typeof v === 'string') : [];
}
