// @ts-check
import { code, emptyState, fill, h, loading, panelHead, table } from './dom.js';
import { formatCompact, formatDateTime, formatInt, formatLimitAmount, formatUsd } from './format.js';
import { authEnabled, pendingText } from './model.js';
import { emptyTotals, sumBy } from './usage-math.js';

/** @typedef {import('./model.js').Model} Model */
/** @typedef {import('./types.js').ApiKey} ApiKey */
/** @typedef {import('./types.js').LimitWindow} LimitWindow */
/** @typedef {import('./types.js').Totals} Totals */

const KIND_LABELS = /** @type {Record<string, string>} */ ({
  REQUESTS: 'requests',
  TOKENS: 'tokens',
  INPUT_TOKENS: 'input tokens',
  OUTPUT_TOKENS: 'output tokens',
  COST_USD: 'cost',
  CONCURRENCY: 'in flight',
});

/**
 * A meter of what is left in one policy window. The countdown to the reset is kept current by
 * app.js (`data-countdown`), without re-rendering the table.
 * @param {LimitWindow} w
 */
function limitMeter(w) {
  const kind = KIND_LABELS[w.kind] ?? w.kind.toLowerCase();
  const left = w.remaining === null ? 1 : Math.max(0, Math.min(1, w.remaining / w.limit));
  const level = left <= 0.1 ? 'bad' : left <= 0.3 ? 'warn' : 'ok';
  const amount = w.remaining === null ? 'unknown' : `${formatLimitAmount(w.kind, w.remaining)} of ${formatLimitAmount(w.kind, w.limit)} left`;
  const meter = h('span', { class: 'meter', title: `${w.policy}: ${kind} ${amount}` }, h('span', { class: `meter-fill ${level}` }));
  /** @type {HTMLElement} */ (meter.firstChild).style.width = `${(left * 100).toFixed(1)}%`;
  return h(
    'div',
    { class: 'limit', 'data-limit': `${w.policy}:${w.kind}` },
    h('span', { class: 'limit-name' }, `${kind}${w.per ? ` / ${w.per}` : ''}`),
    meter,
    h('span', { class: 'limit-left' }, amount),
    w.resetsAt ? h('span', { class: 'sub', 'data-countdown': w.resetsAt, 'data-prefix': 'resets ' }, '') : null,
  );
}

/** @param {ApiKey} key */
function keyStatus(key) {
  if (!key.enabled) return h('span', { class: 'badge muted' }, 'disabled');
  if (key.expired) return h('span', { class: 'badge bad' }, 'expired');
  return h('span', { class: 'badge ok' }, 'active', key.expiresAt ? h('span', { class: 'sub' }, `until ${formatDateTime(key.expiresAt)}`) : null);
}

/**
 * @param {string} id
 * @param {string} name
 * @param {Totals | null} totals null while usage is unavailable
 * @param {import('./dom.js').Child} limits
 * @param {import('./dom.js').Child} status
 */
function keyRow(id, name, totals, limits, status) {
  const t = totals ?? emptyTotals();
  const known = totals !== null;
  return h(
    'tr',
    { 'data-key-id': id },
    h('td', {}, h('span', { class: 'key-name' }, name), name !== id ? h('span', { class: 'sub' }, id) : null),
    h('td', { class: 'num', 'data-col': 'requests' }, known ? formatInt(t.requests) : '—'),
    h('td', { class: 'num', 'data-col': 'tokens' }, known ? formatCompact(t.totalTokens) : '—'),
    h('td', { class: 'num', 'data-col': 'cost' }, known ? formatUsd(t.costUsd, t.unpricedRequests) : '—'),
    h('td', { class: 'limits' }, limits),
    h('td', {}, status),
  );
}

/**
 * @param {HTMLElement} root
 * @param {Model} model
 */
export function renderKeys(root, model) {
  const head = panelHead('By API key', 'usage in the range · what remains of each policy window now');
  if (model.state === null) return fill(root, head, loading(pendingText(model)));
  const keys = model.state.keys;
  const byKey = model.usage ? sumBy(model.usage.rows, 'keyId') : null;
  const rows = keys.map((key) =>
    keyRow(
      key.id,
      key.name,
      byKey ? (byKey.get(key.id) ?? emptyTotals()) : null,
      key.limits.length === 0 ? h('span', { class: 'muted' }, 'no limits') : key.limits.map(limitMeter),
      keyStatus(key),
    ),
  );
  // Usage of keys no longer in the config, and of anonymous requests (auth off), still counts.
  for (const [id, totals] of byKey ?? []) {
    if (id === null || keys.some((key) => key.id === id)) continue;
    const anonymous = id === 'anonymous';
    rows.push(keyRow(id, id, totals, h('span', { class: 'muted' }, '—'), h('span', { class: 'badge muted' }, anonymous ? 'auth off' : 'removed')));
  }
  if (rows.length === 0) {
    fill(
      root,
      head,
      authEnabled(model)
        ? emptyState('No API keys configured', 'auth.enabled is true but keys: is empty, so every /v1 request is refused with 401.', h('p', {}, 'Create one with ', code('npx codex-lb keys new'), ' and add it under ', code('keys:'), ' in gateway.yaml.'))
        : emptyState(
            'API keys are off',
            h('p', {}, code('auth.enabled: false'), ': any key is accepted from this machine and every request is recorded as ', code('anonymous'), '.'),
            h('p', {}, 'To see each tool under its own name, run ', code('npx codex-lb keys new'), ' once per tool, list the keys under ', code('keys:'), ' and set ', code('auth: { enabled: true }'), '.'),
          ),
    );
    return;
  }
  fill(root, head, table(['Key', '#Requests', '#Tokens', '#Cost', 'Limits (remaining)', 'Status'], rows, { class: 'keys' }));
}
