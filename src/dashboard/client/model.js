// @ts-check
/**
 * What the dashboard shows, in one plain object the views read (they never fetch), and the
 * ranges it offers. Views render from it; app.js fills it from the admin API.
 */

/** @typedef {import('./types.js').DashboardState} DashboardState */
/** @typedef {import('./types.js').UsageReport} UsageReport */
/** @typedef {import('./types.js').RequestRecord} RequestRecord */
/** @typedef {import('./api.js').ConnectionState} ConnectionState */
/** @typedef {'1h' | '24h' | '7d' | '30d'} RangeKey */
/** @typedef {'requests' | 'tokens' | 'cost'} Metric */

/**
 * Each range: the admin API's preset, the rollup bucket for the chart (none for 1h: its chart is
 * drawn per minute from the request log, an hourly bar would say nothing), and the bar width.
 * @type {Readonly<Record<RangeKey, { label: string, preset: string, bucket: 'HOUR' | 'DAY' | null, stepMs: number }>>}
 */
export const RANGES = {
  '1h': { label: 'Last hour', preset: 'LAST_HOUR', bucket: null, stepMs: 60_000 },
  '24h': { label: 'Last 24 hours', preset: 'LAST_24_HOURS', bucket: 'HOUR', stepMs: 3_600_000 },
  '7d': { label: 'Last 7 days', preset: 'LAST_7_DAYS', bucket: 'HOUR', stepMs: 3_600_000 },
  '30d': { label: 'Last 30 days', preset: 'LAST_30_DAYS', bucket: 'DAY', stepMs: 86_400_000 },
};

/** The live feed keeps this many requests. */
export const FEED_LIMIT = 100;
/** The by-client table reads at most this many requests of the range from the log. */
export const CLIENT_LOG_LIMIT = 2000;

/**
 * @typedef {{
 *   range: RangeKey,
 *   metric: Metric,
 *   state: DashboardState | null,
 *   stateError: string | null,
 *   usage: UsageReport | null,
 *   usageError: string | null,
 *   feed: RequestRecord[],
 *   feedError: string | null,
 *   fresh: Set<string>,
 *   rangeLog: { records: RequestRecord[], truncated: boolean, loaded: boolean },
 *   connection: ConnectionState,
 *   busy: Set<string>,
 * }} Model
 */

/**
 * @typedef {{
 *   setRange: (range: RangeKey) => void,
 *   setMetric: (metric: Metric) => void,
 *   reload: (force: boolean) => void,
 *   pause: (accountId: string) => void,
 *   resume: (accountId: string) => void,
 *   clearCooldown: (accountId: string) => void,
 * }} Actions
 */

/** @returns {Model} */
export function initialModel() {
  return {
    range: '24h',
    metric: 'requests',
    state: null,
    stateError: null,
    usage: null,
    usageError: null,
    feed: [],
    feedError: null,
    fresh: new Set(),
    rangeLog: { records: [], truncated: false, loaded: false },
    connection: 'connecting',
    busy: new Set(),
  };
}

/**
 * What a panel says before the first answer: loading, or why nothing can load yet.
 * @param {Model} model
 */
export function pendingText(model) {
  if (model.connection === 'auth') return 'Waiting for the admin token…';
  return model.stateError ?? 'Loading…';
}

/**
 * Key id → display name (the id itself for `anonymous` and removed keys).
 * @param {Model} model
 * @param {string} keyId
 */
export function keyName(model, keyId) {
  if (keyId === 'anonymous') return 'anonymous';
  return model.state?.keys.find((key) => key.id === keyId)?.name ?? keyId;
}

/**
 * @param {Model} model
 * @param {string | null} accountId
 */
export function accountName(model, accountId) {
  if (accountId === null) return '—';
  return model.state?.accounts.find((account) => account.id === accountId)?.name ?? accountId;
}

/**
 * `auth.enabled` from the masked config document.
 * @param {Model} model
 */
export function authEnabled(model) {
  const auth = model.state?.config.document.auth;
  return typeof auth === 'object' && auth !== null && 'enabled' in auth && auth.enabled === true;
}
