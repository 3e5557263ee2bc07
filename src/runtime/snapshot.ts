import type { LoadedConfig } from '../config/load.js';
import type {
  AccountConfig,
  ApiKeyConfig,
  GatewayConfig,
  ModelConfig,
  PolicyConfig,
  RoutingStrategy,
} from '../config/schema.js';
import { maskSecrets } from '../config/secrets.js';
import { durationMs } from '../shared/durations.js';
import { keyHash, sha256Hex } from '../shared/hashing.js';

/**
 * The immutable runtime view of one validated gateway.yaml. A request captures it once and uses
 * it to its end; a reload builds a new one and swaps it in. Lookups a request needs are O(1)
 * maps. State that must outlive a reload (limiter counters, cooldowns, sticky sessions) is NOT
 * here: it lives in long-lived services keyed by id or policy fingerprint.
 */
export interface AccountSpec {
  readonly id: string;
  readonly kind: AccountConfig['kind'];
  readonly name: string;
  readonly enabled: boolean;
  readonly weight: number;
  readonly priority: number;
  readonly policies: readonly string[];
  /** Position in the file: ties in ordering strategies follow the file. */
  readonly order: number;
  readonly config: AccountConfig;
}

export interface ModelSpec {
  readonly id: string;
  readonly name: string;
  readonly aliases: readonly string[];
  readonly upstreamModel: string;
  /** Enabled accounts that serve this model, in file order. */
  readonly accountIds: readonly string[];
  readonly fallback: string | null;
  readonly enabled: boolean;
  readonly config: ModelConfig;
}

export interface BudgetSpec {
  readonly limit: number;
  readonly perMs: number;
}

export interface PolicySpec {
  readonly id: string;
  /** Hash of what defines the counters (windows, models), so an unchanged policy keeps its counts. */
  readonly fingerprint: string;
  readonly requests?: BudgetSpec;
  readonly tokens?: BudgetSpec;
  readonly inputTokens?: BudgetSpec;
  readonly outputTokens?: BudgetSpec;
  readonly costUsd?: BudgetSpec;
  readonly concurrency?: number;
  readonly models: ReadonlySet<string> | null;
  readonly config: PolicyConfig;
}

export interface KeySpec {
  readonly id: string;
  readonly name: string;
  /** `sha256:<hex>` of the key. */
  readonly hash: string;
  /** Allowed model ids (aliases resolved); null = all. */
  readonly models: ReadonlySet<string> | null;
  readonly policies: readonly string[];
  readonly enabled: boolean;
  /** Epoch ms, or null for never. */
  readonly expiresAt: number | null;
  readonly config: ApiKeyConfig;
}

export interface RoutingSpec {
  readonly strategy: RoutingStrategy;
  readonly stickyEnabled: boolean;
  readonly stickyTtlMs: number;
  readonly failoverAttempts: number;
  readonly connectTimeoutMs: number;
  readonly idleTimeoutMs: number;
  readonly keepAliveMs: number;
}

export interface Snapshot {
  readonly version: number;
  readonly hash: string;
  readonly loadedAt: Date;
  readonly file: string;
  readonly config: GatewayConfig;
  /** The config with every secret replaced by `***`: what may be shown. */
  readonly masked: GatewayConfig;
  readonly accounts: ReadonlyMap<string, AccountSpec>;
  /** By id. */
  readonly models: ReadonlyMap<string, ModelSpec>;
  /** By id and by alias: what a client may send as `model`. */
  readonly modelByName: ReadonlyMap<string, ModelSpec>;
  readonly policies: ReadonlyMap<string, PolicySpec>;
  readonly keys: ReadonlyMap<string, KeySpec>;
  readonly keysByHash: ReadonlyMap<string, KeySpec>;
  readonly routing: RoutingSpec;
}

export type ValidConfig = LoadedConfig & { config: GatewayConfig };

export function buildSnapshot(loaded: ValidConfig, version: number, loadedAt = new Date()): Snapshot {
  const config = loaded.config;
  const accounts = new Map<string, AccountSpec>();
  config.accounts.forEach((account, order) => {
    accounts.set(account.id, {
      id: account.id,
      kind: account.kind,
      name: account.name ?? account.id,
      enabled: account.enabled,
      weight: account.weight,
      priority: account.priority,
      policies: account.policies,
      order,
      config: account,
    });
  });

  const models = new Map<string, ModelSpec>();
  const modelByName = new Map<string, ModelSpec>();
  for (const model of config.models) {
    const spec: ModelSpec = {
      id: model.id,
      name: model.name ?? model.id,
      aliases: model.aliases,
      upstreamModel: model.upstreamModel ?? model.id,
      accountIds: servingAccounts(model, config.accounts),
      fallback: model.fallback ?? null,
      enabled: model.enabled,
      config: model,
    };
    models.set(model.id, spec);
    modelByName.set(model.id, spec);
    for (const alias of model.aliases) modelByName.set(alias, spec);
  }
  const canonical = (names: readonly string[] | undefined): ReadonlySet<string> | null =>
    names === undefined ? null : new Set(names.map((name) => modelByName.get(name)?.id ?? name));

  const policies = new Map<string, PolicySpec>();
  for (const policy of config.policies) policies.set(policy.id, policySpec(policy, canonical(policy.models)));

  const keys = new Map<string, KeySpec>();
  const keysByHash = new Map<string, KeySpec>();
  for (const key of config.keys) {
    const spec: KeySpec = {
      id: key.id,
      name: key.name ?? key.id,
      hash: key.keyHash ?? keyHash(key.key ?? ''),
      models: canonical(key.models),
      policies: key.policies,
      enabled: key.enabled,
      expiresAt: key.expiresAt === undefined ? null : Date.parse(key.expiresAt),
      config: key,
    };
    keys.set(key.id, spec);
    keysByHash.set(spec.hash, spec);
  }

  const routing = config.routing;
  // Only the admin API reads the masked copy: built on its first read, not on every reload.
  let masked: GatewayConfig | null = null;
  return Object.freeze({
    version,
    hash: loaded.hash,
    loadedAt,
    file: loaded.file,
    config,
    get masked(): GatewayConfig {
      masked ??= maskSecrets(config, loaded.interpolatedPaths);
      return masked;
    },
    accounts,
    models,
    modelByName,
    policies,
    keys,
    keysByHash,
    routing: {
      strategy: routing.strategy,
      stickyEnabled: routing.sticky.enabled,
      stickyTtlMs: durationMs(routing.sticky.ttl),
      failoverAttempts: routing.failover.attempts,
      connectTimeoutMs: durationMs(routing.timeouts.connect),
      idleTimeoutMs: durationMs(routing.timeouts.idle),
      keepAliveMs: durationMs(routing.timeouts.keepAlive),
    },
  });
}

/** A model's candidates: its explicit `accounts`, else every account whose `models` admits it. */
function servingAccounts(model: ModelConfig, accounts: readonly AccountConfig[]): string[] {
  const enabled = accounts.filter((account) => account.enabled);
  if (model.accounts !== undefined) {
    const wanted = new Set(model.accounts);
    return enabled.filter((account) => wanted.has(account.id)).map((account) => account.id);
  }
  return enabled
    .filter((account) => account.models === undefined || account.models.includes(model.id) || model.aliases.some((a) => account.models?.includes(a)))
    .map((account) => account.id);
}

function policySpec(policy: PolicyConfig, models: ReadonlySet<string> | null): PolicySpec {
  const budget = (b: { limit: number; per: string } | undefined): BudgetSpec | undefined =>
    b === undefined ? undefined : { limit: b.limit, perMs: durationMs(b.per) };
  const spec = {
    requests: budget(policy.requests),
    tokens: budget(policy.tokens),
    inputTokens: budget(policy.inputTokens),
    outputTokens: budget(policy.outputTokens),
    costUsd: budget(policy.costUsd),
    concurrency: policy.concurrency,
  };
  // Limits are not part of the fingerprint: a changed `limit` keeps the counts of its window.
  const windows = Object.entries(spec).map(([kind, b]) => [kind, typeof b === 'object' ? b.perMs : b !== undefined]);
  const fingerprint = sha256Hex(JSON.stringify({ id: policy.id, windows, models: models ? [...models].sort() : null })).slice(0, 16);
  return { id: policy.id, fingerprint, ...spec, models, config: policy };
}
