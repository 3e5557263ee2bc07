import { keyHash } from '../shared/hashing.js';
import { MASK } from '../shared/redaction.js';
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
/** How a value is shown in a message: as written, or `***` when it came from the environment. */
type Shown = (path: ConfigPath, value: string) => string;

export function referenceIssues(source: YamlSource): ConfigIssue[] {
  const issues: ConfigIssue[] = [];
  const report = (severity: ConfigIssue['severity'], code: string, path: ConfigPath, message: string) => {
    const pos = source.locate(path);
    issues.push({ severity, code, file: source.file, line: pos?.line ?? null, column: pos?.column ?? null, path: formatPath(path), message });
  };
  // Messages quote ids; one interpolated from the environment is a secret like any other value.
  // (Most files interpolate nothing: then no path needs formatting to know.)
  const interpolated = source.interpolatedPaths;
  const shown: Shown = (path, value) => (interpolated.size > 0 && interpolated.has(formatPath(path)) ? MASK : value);
  const secretNames = new Set<string>();
  const root = isRecord(source.data) ? source.data : {};
  // Each section's entries, listed once: a file may hold 10,000 keys.
  const listed = new Map<Section, Entry[]>();
  const entries = (section: Section): Entry[] => {
    let list = listed.get(section);
    if (list === undefined) {
      list = (Array.isArray(root[section]) ? (root[section] as unknown[]) : [])
        .map((value, index) => ({ index, value }))
        .filter((e): e is Entry => isRecord(e.value));
      listed.set(section, list);
    }
    return list;
  };

  const ids = {} as Record<Section, string[]>;
  for (const section of ['accounts', 'models', 'policies', 'keys'] as const) {
    const seen = new Set<string>();
    ids[section] = [];
    for (const { index, value } of entries(section)) {
      if (typeof value.id !== 'string') continue;
      if (shown([section, index, 'id'], value.id) === MASK) secretNames.add(value.id);
      if (seen.has(value.id)) report('error', 'duplicate_id', [section, index, 'id'], `duplicate ${singular(section)} id '${shown([section, index, 'id'], value.id)}'`);
      seen.add(value.id);
      ids[section].push(value.id);
    }
  }

  // Model names clients can send: ids and aliases, each naming one model (the id it resolves to).
  const modelNames = new Set(ids.models);
  const modelIds = new Set(ids.models);
  const modelIdOf = new Map(ids.models.map((id) => [id, id]));
  for (const { index, value } of entries('models')) {
    (Array.isArray(value.aliases) ? (value.aliases as unknown[]) : []).forEach((alias, i) => {
      if (typeof alias !== 'string') return;
      const path = ['models', index, 'aliases', i];
      if (shown(path, alias) === MASK) secretNames.add(alias);
      if (modelNames.has(alias)) report('error', 'duplicate_id', path, `alias '${shown(path, alias)}' is already a model id or alias`);
      modelNames.add(alias);
      if (typeof value.id === 'string' && !modelIdOf.has(alias)) modelIdOf.set(alias, value.id);
    });
  }

  /** ` (did you mean 'x'?)`, never suggesting or hinting at a secret name. */
  const suggest = (path: ConfigPath, ref: string, known: readonly string[]) =>
    shown(path, ref) === MASK ? '' : didYouMean(ref, known.filter((name) => !secretNames.has(name)));
  const knownSets = new Map<readonly string[], ReadonlySet<string>>();
  const checkRefs = (owner: ConfigPath, field: string, list: unknown, target: Section, known: readonly string[]) => {
    if (!Array.isArray(list)) return;
    let knownSet = knownSets.get(known);
    if (knownSet === undefined) knownSets.set(known, (knownSet = new Set(known)));
    list.forEach((ref, i) => {
      if (typeof ref !== 'string' || knownSet.has(ref)) return;
      const path = [...owner, field, i];
      report('error', 'unknown_reference', path, `unknown ${singular(target)} '${shown(path, ref)}'${suggest(path, ref, known)}`);
    });
  };

  const allModelNames = [...modelNames];
  for (const { index, value } of entries('models')) {
    checkRefs(['models', index], 'accounts', value.accounts, 'accounts', ids.accounts);
    if (typeof value.fallback === 'string') {
      const path = ['models', index, 'fallback'];
      if (!modelNames.has(value.fallback)) {
        report('error', 'unknown_reference', path, `unknown model '${shown(path, value.fallback)}'${suggest(path, value.fallback, allModelNames)}`);
      } else if (modelIdOf.get(value.fallback) === value.id) {
        report('error', 'fallback_cycle', path, 'a model cannot fall back to itself');
      }
    }
  }
  reportFallbackCycles(entries('models'), modelIdOf, secretNames, report);
  for (const { index, value } of entries('accounts')) {
    checkRefs(['accounts', index], 'policies', value.policies, 'policies', ids.policies);
    checkRefs(['accounts', index], 'models', value.models, 'models', allModelNames);
  }
  for (const { index, value } of entries('policies')) checkRefs(['policies', index], 'models', value.models, 'models', allModelNames);
  for (const { index, value } of entries('keys')) {
    checkRefs(['keys', index], 'policies', value.policies, 'policies', ids.policies);
    checkRefs(['keys', index], 'models', value.models, 'models', allModelNames);
  }
  reportDuplicateKeys(entries('keys'), shown, report);
  reportWarnings(root, entries, modelIds, shown, report);
  return issues;
}

type Report = (severity: ConfigIssue['severity'], code: string, path: ConfigPath, message: string) => void;

/** Follows fallbacks by model id (an alias names its model), so a loop through an alias is found too. */
function reportFallbackCycles(models: Entry[], modelIdOf: ReadonlyMap<string, string>, secretNames: ReadonlySet<string>, report: Report): void {
  const fallbackOf = new Map<string, string>();
  for (const { value } of models) {
    const target = typeof value.fallback === 'string' ? modelIdOf.get(value.fallback) : undefined;
    if (typeof value.id === 'string' && target !== undefined && target !== value.id) fallbackOf.set(value.id, target);
  }
  for (const { index, value } of models) {
    if (typeof value.id !== 'string' || !fallbackOf.has(value.id)) continue;
    const chain = [value.id];
    let next = fallbackOf.get(value.id);
    while (next !== undefined && !chain.includes(next)) {
      chain.push(next);
      next = fallbackOf.get(next);
    }
    if (next !== value.id) continue;
    const names = [...chain, next].map((name) => (secretNames.has(name) ? MASK : name));
    report('error', 'fallback_cycle', ['models', index, 'fallback'], `fallback cycle: ${names.join(' -> ')}`);
  }
}

/** Two entries granting the same secret would make attribution ambiguous. */
function reportDuplicateKeys(keys: Entry[], shown: Shown, report: Report): void {
  const seen = new Map<string, string>();
  for (const { index, value } of keys) {
    const hash = typeof value.key === 'string' ? keyHash(value.key) : typeof value.keyHash === 'string' ? value.keyHash : undefined;
    if (hash === undefined) continue;
    const other = seen.get(hash);
    if (other !== undefined) report('error', 'duplicate_key', ['keys', index], `the same key as key '${other}' (each entry needs its own key)`);
    else seen.set(hash, shown(['keys', index, 'id'], String(value.id)));
  }
}

function reportWarnings(root: Record<string, unknown>, entries: (s: Section) => Entry[], modelIds: Set<string>, shown: Shown, report: Report): void {
  const accounts = entries('accounts').filter((a) => a.value.enabled !== false);
  // Who could serve what, computed once (models × accounts would be 100,000 checks in a large file).
  const enabledIds = new Set(accounts.map((a) => String(a.value.id)));
  const servesAll = accounts.some((a) => !Array.isArray(a.value.models));
  const listedModels = new Set(accounts.flatMap((a) => strings(a.value.models)));
  for (const { index, value } of entries('models')) {
    if (typeof value.id !== 'string' || value.enabled === false) continue;
    const served = Array.isArray(value.accounts)
      ? strings(value.accounts).some((id) => enabledIds.has(id))
      : servesAll || listedModels.has(String(value.id));
    if (!served) report('warning', 'model_unserved', ['models', index], `no enabled account serves model '${shown(['models', index, 'id'], value.id)}'`);
  }
  const used = new Set<string>();
  for (const section of ['accounts', 'keys'] as const) {
    for (const { value } of entries(section)) strings(value.policies).forEach((p) => used.add(p));
  }
  for (const { index, value } of entries('policies')) {
    if (typeof value.id === 'string' && !used.has(value.id)) report('warning', 'policy_unused', ['policies', index], `policy '${shown(['policies', index, 'id'], value.id)}' is not used by any key or account`);
  }
  const auth = isRecord(root.auth) ? root.auth : {};
  if (auth.enabled === true && entries('keys').length === 0) report('warning', 'no_keys', ['auth', 'enabled'], 'auth is enabled but no keys are configured: every /v1 request will be refused');
  for (const { index, value } of entries('keys')) {
    if (typeof value.expiresAt === 'string' && Date.parse(value.expiresAt) < Date.now()) {
      report('warning', 'key_expired', ['keys', index, 'expiresAt'], `key '${shown(['keys', index, 'id'], String(value.id))}' has expired`);
    }
  }
  if (modelIds.size === 0) report('warning', 'no_models', [], 'no models are configured: /v1 serves nothing');
  reportUnsharedCluster(root, report);
}

/** Instances joined by `cluster.redis` only act as one gateway when what they count and record is shared too. */
function reportUnsharedCluster(root: Record<string, unknown>, report: Report): void {
  const cluster = isRecord(root.cluster) ? root.cluster : {};
  if (typeof cluster.redis !== 'string') return;
  const storage = isRecord(root.storage) ? root.storage : {};
  const limits = isRecord(root.limits) ? root.limits : {};
  // Both default to this instance's own files and memory.
  const localStorage = typeof storage.url !== 'string' || storage.url.startsWith('sqlite:');
  const store = typeof limits.store === 'string' ? limits.store : 'memory';
  if (localStorage) {
    report('warning', 'cluster_not_shared', ['cluster', 'redis'], 'cluster.redis is set but storage.url is a local SQLite file: each instance keeps its own usage history and refreshed tokens (use mysql:// for a cluster)');
  }
  if (store === 'memory' || (store === 'sql' && localStorage)) {
    report('warning', 'cluster_not_shared', ['cluster', 'redis'], 'cluster.redis is set but limits.store is not shared: each instance counts rate limits on its own (use a redis:// URL)');
  }
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
