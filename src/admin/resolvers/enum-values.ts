/**
 * Internal values of the SDL's enums: resolvers work with the domain's own spellings
 * (`'applied'`, `'chat.completions'`, status class 4) and graphql-js maps them to the
 * UPPER_CASE names clients see.
 */
export const enumResolvers = {
  ReloadStatus: { APPLIED: 'applied', UNCHANGED: 'unchanged', REJECTED: 'rejected' },
  ReloadTrigger: { STARTUP: 'startup', FILE: 'file', SIGNAL: 'signal', ADMIN: 'admin' },
  IssueSeverity: { ERROR: 'error', WARNING: 'warning' },
  AccountKind: { CHATGPT: 'chatgpt', OPENAI: 'openai' },
  AccountStatus: { AVAILABLE: 'available', DISABLED: 'disabled', PAUSED: 'paused', COOLING_DOWN: 'cooling_down', UNAVAILABLE: 'unavailable' },
  AccountChange: { STATUS: 'status', COOLDOWN: 'cooldown', PAUSE: 'pause', QUOTA: 'quota', ERROR: 'error', CONFIG: 'config' },
  PricingSource: { CONFIG: 'config', BUILT_IN: 'built_in' },
  LimitKind: {
    REQUESTS: 'requests',
    TOKENS: 'tokens',
    INPUT_TOKENS: 'inputTokens',
    OUTPUT_TOKENS: 'outputTokens',
    COST_USD: 'costUsd',
    CONCURRENCY: 'concurrency',
  },
  UsageGroupBy: { KEY: 'key', ACCOUNT: 'account', MODEL: 'model', HOUR: 'hour', DAY: 'day' },
  StatusClass: { INFORMATIONAL: 1, SUCCESS: 2, REDIRECTION: 3, CLIENT_ERROR: 4, SERVER_ERROR: 5 },
  Endpoint: {
    CHAT_COMPLETIONS: 'chat.completions',
    RESPONSES: 'responses',
    EMBEDDINGS: 'embeddings',
    CODEX_RESPONSES: 'codex.responses',
  },
} as const;
