import { z } from 'zod';
import { DURATION_HINT, parseDuration } from '../shared/durations.js';
import { KEY_HASH_RE } from '../shared/hashing.js';

/**
 * The one definition of gateway.yaml. Types, defaults, validation messages and the editors'
 * JSON Schema (gateway.schema.json) all come from here. Objects are strict: an unknown key is
 * an error, so a typo never silently disables a setting.
 */

const ID_RE = /^[A-Za-z0-9][A-Za-z0-9._:@/-]{0,127}$/;

export const id = z
  .string()
  .regex(ID_RE, 'ids use letters, digits and . _ : @ / - (at most 128 characters, starting with a letter or digit)')
  .describe('Unique identifier, referenced from other sections');

export const duration = z
  .string()
  .refine((text) => parseDuration(text) !== undefined, { message: `invalid duration (${DURATION_HINT})` })
  .describe('A duration: 500ms, 30s, 5m, 1h, 1d')
  .meta({ pattern: '^\\d+(\\.\\d+)?(ms|s|m|h|d)$', examples: ['30s', '5m', '1d'] });

const httpUrl = z
  .string()
  .refine(isHttpUrl, { message: 'must be an http:// or https:// URL' })
  .describe('An http(s) URL');

const idList = z.array(id);

export const serverSchema = z
  .strictObject({
    host: z.string().min(1).default('127.0.0.1').describe('Interface to listen on; non-loopback requires auth.enabled'),
    port: z.int().min(0).max(65535).default(2455).describe('TCP port (0 picks a free one)'),
    trustProxy: z
      .union([z.boolean(), z.int().min(0), z.string()])
      .default(false)
      .describe("Express 'trust proxy' setting, for client addresses behind a reverse proxy"),
    bodyLimit: z
      .string()
      .regex(/^\d+(\.\d+)?\s*(b|kb|mb|gb)$/i, 'must be a size such as 512kb or 50mb')
      .default('50mb')
      .describe('Largest accepted request body'),
    shutdownGrace: duration.default('10s').describe('How long in-flight requests may run after SIGTERM'),
    timeouts: z
      .strictObject({
        headers: duration.default('15s').describe("Longest a client may take to send a request's headers (slow-loris clients are cut off)"),
        request: duration.default('60s').describe('Longest a client may take to send a whole request, body included (answers may stream for longer)'),
      })
      .prefault({})
      .describe('How long clients may take to send their requests'),
  })
  .describe('HTTP listener');

export const adminSchema = z
  .strictObject({
    tokens: z
      .array(z.string())
      .default([])
      .describe('Admin bearer tokens (plain via ${ENV} or sha256:<hex>); none = loopback-only admin'),
  })
  .describe('GraphQL admin API and dashboard access');

export const storageSchema = z
  .strictObject({
    url: z
      .string()
      .refine(isStorageUrl, { message: 'must be sqlite:<path>, mysql://user:pass@host:3306/db or mariadb://…' })
      .default('sqlite:./data/codex-lb.sqlite')
      .describe('Usage store: sqlite:<path> (embedded) or mysql:// / mariadb://'),
    retention: duration.optional().describe('Purge request-log rows older than this (rollups stay); omitted = keep forever'),
    batch: z
      .strictObject({
        size: z.int().min(1).max(5000).default(500).describe('Most usage records written in one transaction'),
        interval: duration.default('100ms').describe('Longest a usage record waits in memory before its batch is written'),
      })
      .prefault({})
      .describe('Batching of usage writes (off the request path)'),
    bufferLimit: z
      .int()
      .min(1)
      .default(10_000)
      .describe('Usage records held in memory while the store is unreachable; beyond this they go to the spool file'),
    spoolDir: z
      .string()
      .min(1)
      .default('./data/usage-spool')
      .describe('Directory of the local spool (JSON lines) that keeps usage records while the store is down; replayed when it is back'),
  })
  .describe('Usage store');

export const limitsSchema = z
  .strictObject({
    store: z
      .string()
      .refine(isLimitsStore, { message: "must be 'memory', 'sql' or a redis:// URL" })
      .default('memory')
      .describe("Rate-limit counters: 'memory', 'sql' (the usage store) or redis://host:6379"),
  })
  .describe('Rate-limit counter backend');

export const clusterSchema = z
  .strictObject({
    redis: z
      .string()
      .refine(isRedisUrl, { message: 'must be a redis:// or rediss:// URL' })
      .optional()
      .describe('Redis shared by the instances of one gateway: live events, account cooldowns and quotas, sticky sessions, token refresh lock, reloadConfig(all). Omitted = this instance runs alone'),
    namespace: z
      .string()
      .regex(/^[A-Za-z0-9][A-Za-z0-9._:-]{0,63}$/, 'letters, digits and . _ : - (at most 64 characters)')
      .default('codex-lb')
      .describe('Prefix of every Redis key and channel, rate-limit counters included; the instances of one gateway use the same one'),
  })
  .describe('Several instances acting as one gateway (read at startup)');

export const authSchema = z
  .strictObject({
    enabled: z
      .boolean()
      .default(false)
      .describe('false: any API key is accepted from loopback clients only; true: keys must match `keys`'),
  })
  .describe('Client authentication');

export const ROUTING_STRATEGIES = ['round_robin', 'weighted', 'least_inflight', 'priority', 'capacity_weighted'] as const;

export const routingSchema = z
  .strictObject({
    strategy: z.enum(ROUTING_STRATEGIES).default('capacity_weighted').describe('How an account is picked among candidates'),
    sticky: z
      .strictObject({
        enabled: z.boolean().default(true),
        ttl: duration.default('30m').describe('How long a session stays on its account'),
      })
      .prefault({})
      .describe('Session affinity (prompt_cache_key, session headers)'),
    failover: z
      .strictObject({
        attempts: z.int().min(1).max(10).default(3).describe('Accounts tried per request before giving up'),
      })
      .prefault({})
      .describe('Retrying on another account before the first byte reaches the client'),
    timeouts: z
      .strictObject({
        connect: duration.default('10s').describe('Until upstream response headers'),
        idle: duration.default('5m').describe('Longest silence inside an upstream stream'),
        keepAlive: duration.default('15s').describe('SSE comment interval while upstream is silent'),
      })
      .prefault({})
      .describe('Upstream timeouts'),
  })
  .describe('Account selection');

const accountCommon = {
  id,
  name: z.string().optional().describe('Display name'),
  enabled: z.boolean().default(true).describe('false keeps the account configured but unused'),
  weight: z.number().positive().default(1).describe('Relative share for weighted strategies'),
  priority: z.int().min(0).default(0).describe('Lower is filled first with the priority strategy'),
  policies: idList.default([]).describe('Per-account limits; the router skips an account at its limit'),
  models: idList.optional().describe('Models this account serves; omitted = every model that does not name its accounts'),
};

export const openaiAccountSchema = z
  .strictObject({
    ...accountCommon,
    kind: z.literal('openai'),
    baseUrl: httpUrl.default('https://api.openai.com/v1').describe('OpenAI-compatible base URL, ending before /chat/completions'),
    apiKey: z.string().describe('Upstream API key (secret; use ${ENV})'),
    headers: z.record(z.string(), z.string()).optional().describe('Extra headers sent upstream (values are secrets)'),
  })
  .describe('An OpenAI-compatible endpoint with an API key');

export const CHATGPT_PLANS = ['free', 'plus', 'pro', 'team', 'business', 'enterprise', 'edu'] as const;

export const chatgptTokensSchema = z
  .strictObject({
    access: z.string().describe('OAuth access token (secret)'),
    refresh: z.string().optional().describe('OAuth refresh token (secret)'),
    idToken: z.string().optional().describe('OpenID id token (secret)'),
    accountId: z.string().optional().describe('ChatGPT account id (else read from the id token)'),
  })
  .describe('Inline OAuth tokens');

export const chatgptAccountSchema = z
  .strictObject({
    ...accountCommon,
    kind: z.literal('chatgpt'),
    authFile: z.string().optional().describe("Path to a Codex CLI auth.json ('~' expands)"),
    tokens: chatgptTokensSchema.optional(),
    plan: z.enum(CHATGPT_PLANS).optional().describe('Seat plan; read from the id token when omitted'),
    baseUrl: httpUrl.default('https://chatgpt.com/backend-api/codex').describe('Codex backend base URL'),
    tokenUrl: httpUrl.default('https://auth.openai.com/oauth/token').describe('OAuth token endpoint for refreshes'),
  })
  .refine((account) => (account.authFile === undefined) !== (account.tokens === undefined), {
    message: 'a chatgpt account needs exactly one of authFile or tokens',
  })
  .describe('A ChatGPT/Codex seat signed in with OAuth');

export const accountSchema = z.discriminatedUnion('kind', [openaiAccountSchema, chatgptAccountSchema]);

export const pricingSchema = z
  .strictObject({
    input: z.number().min(0).describe('USD per 1M input tokens'),
    cachedInput: z.number().min(0).optional().describe('USD per 1M cached input tokens (default: input)'),
    output: z.number().min(0).describe('USD per 1M output tokens (reasoning is billed as output)'),
  })
  .describe('Prices overriding the built-in table');

export const modelSchema = z
  .strictObject({
    id,
    name: z.string().optional().describe('Display name'),
    aliases: z.array(z.string().min(1)).default([]).describe('Other names clients may use for this model'),
    accounts: idList.optional().describe('Accounts serving this model; default: every account that does not exclude it'),
    upstreamModel: z.string().min(1).optional().describe('Model name sent upstream (default: id)'),
    pricing: pricingSchema.optional(),
    fallback: id.optional().describe('Model tried when no account of this one can serve'),
    enabled: z.boolean().default(true),
  })
  .describe('A model offered on /v1');

const budget = (what: string) =>
  z
    .strictObject({
      limit: z.number().positive().describe(`Most ${what} per window`),
      per: duration.describe('Window length'),
    })
    .describe(`A ${what} budget per window`);

export const policySchema = z
  .strictObject({
    id,
    requests: budget('requests').optional(),
    tokens: budget('tokens (input + output)').optional(),
    inputTokens: budget('input tokens').optional(),
    outputTokens: budget('output tokens').optional(),
    costUsd: budget('USD').optional(),
    concurrency: z.int().positive().optional().describe('Most requests in flight at once'),
    models: idList.optional().describe('Apply only to these models; omitted = all'),
  })
  .refine(
    (p) =>
      [p.requests, p.tokens, p.inputTokens, p.outputTokens, p.costUsd, p.concurrency].some((limit) => limit !== undefined),
    { message: 'a policy needs at least one limit (requests, tokens, inputTokens, outputTokens, costUsd, concurrency)' },
  )
  .describe('A rate-limit policy');

export const apiKeySchema = z
  .strictObject({
    id,
    name: z.string().optional(),
    key: z.string().min(16, 'an API key must be at least 16 characters').optional().describe('The key itself (secret; use ${ENV})'),
    keyHash: z.string().regex(KEY_HASH_RE, 'keyHash must be sha256:<64 lowercase hex>').optional().describe('sha256:<hex> from `codex-lb keys new`'),
    models: idList.optional().describe('Allowed models; omitted = all'),
    policies: idList.default([]),
    enabled: z.boolean().default(true),
    expiresAt: z
      .string()
      .refine((text) => !Number.isNaN(Date.parse(text)), { message: 'expiresAt must be a date (2027-01-01 or ISO 8601)' })
      .optional(),
  })
  .refine((key) => (key.key === undefined) !== (key.keyHash === undefined), {
    message: 'a key needs exactly one of key or keyHash',
  })
  .describe('A client API key');

export const gatewayConfigSchema = z
  .strictObject({
    server: serverSchema.prefault({}),
    admin: adminSchema.prefault({}),
    storage: storageSchema.prefault({}),
    limits: limitsSchema.prefault({}),
    cluster: clusterSchema.prefault({}),
    auth: authSchema.prefault({}),
    routing: routingSchema.prefault({}),
    accounts: z.array(accountSchema).default([]),
    models: z.array(modelSchema).default([]),
    policies: z.array(policySchema).default([]),
    keys: z.array(apiKeySchema).default([]),
  })
  .describe('codex-lb gateway configuration');

export type GatewayConfig = z.output<typeof gatewayConfigSchema>;
export type GatewayConfigInput = z.input<typeof gatewayConfigSchema>;
export type AccountConfig = z.output<typeof accountSchema>;
export type OpenAiAccountConfig = z.output<typeof openaiAccountSchema>;
export type ChatgptAccountConfig = z.output<typeof chatgptAccountSchema>;
export type ModelConfig = z.output<typeof modelSchema>;
export type PolicyConfig = z.output<typeof policySchema>;
export type ApiKeyConfig = z.output<typeof apiKeySchema>;
export type ClusterConfig = z.output<typeof clusterSchema>;
export type RoutingStrategy = (typeof ROUTING_STRATEGIES)[number];

function isHttpUrl(text: string): boolean {
  try {
    const url = new URL(text);
    return url.protocol === 'http:' || url.protocol === 'https:';
  } catch {
    return false;
  }
}

function isStorageUrl(text: string): boolean {
  if (/^sqlite:.+/.test(text)) return true;
  try {
    const url = new URL(text);
    return (url.protocol === 'mysql:' || url.protocol === 'mariadb:') && url.hostname !== '';
  } catch {
    return false;
  }
}

function isLimitsStore(text: string): boolean {
  return text === 'memory' || text === 'sql' || isRedisUrl(text);
}

function isRedisUrl(text: string): boolean {
  try {
    const url = new URL(text);
    return (url.protocol === 'redis:' || url.protocol === 'rediss:') && url.hostname !== '';
  } catch {
    return false;
  }
}
