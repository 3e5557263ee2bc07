// @ts-check
import { code, emptyState, fill, h, loading, panelHead, table } from './dom.js';
import { formatCompact, formatInt, formatPercent, formatUsd } from './format.js';
import { CLIENT_LOG_LIMIT, pendingText } from './model.js';
import { emptyTotals, sumBy, sumByClient } from './usage-math.js';

/** @typedef {import('./model.js').Model} Model */
/** @typedef {import('./types.js').Model} ModelInfo */

/** @param {ModelInfo} m */
function price(m) {
  if (m.pricing === null) return h('span', { class: 'muted', title: 'costs of this model are reported as unknown' }, 'no price');
  const p = m.pricing;
  return h('span', { title: `USD per 1M tokens (${p.source === 'CONFIG' ? 'gateway.yaml' : 'built-in list price'})` }, `$${p.input} / $${p.cachedInput} / $${p.output}`);
}

/**
 * By model: configured models first (in file order), then models seen in usage but since removed.
 * @param {HTMLElement} root
 * @param {Model} model
 */
export function renderModels(root, model) {
  const head = panelHead('By model', 'price per 1M tokens: in / cached / out');
  if (model.state === null) return fill(root, head, loading(pendingText(model)));
  const models = model.state.models;
  const byModel = model.usage ? sumBy(model.usage.rows, 'model') : null;
  const cells = (/** @type {import('./types.js').Totals | null} */ t) => [
    h('td', { class: 'num', 'data-col': 'requests' }, t ? formatInt(t.requests) : '—'),
    h('td', { class: 'num', 'data-col': 'tokens' }, t ? formatCompact(t.totalTokens) : '—'),
    h('td', { class: 'num', 'data-col': 'cost' }, t ? formatUsd(t.costUsd, t.unpricedRequests) : '—'),
  ];
  // Counted from the accounts as shown (live through accountEvents), so both tables always agree.
  const accounts = new Map((model.state?.accounts ?? []).map((a) => [a.id, a]));
  const rows = models.map((m) => {
    const available = m.accounts.filter((a) => accounts.get(a.id)?.available ?? false).length;
    const tone = available === 0 ? 'bad' : available < m.accounts.length ? 'warn' : 'ok';
    return h(
      'tr',
      { 'data-model': m.id },
      h('td', {}, h('span', { class: 'key-name' }, m.id), m.name !== m.id || m.aliases.length ? h('span', { class: 'sub' }, [m.name !== m.id ? m.name : null, ...m.aliases].filter(Boolean).join(' · ')) : null),
      h('td', {}, h('span', { class: `badge ${m.enabled ? tone : 'muted'}` }, m.enabled ? `${available} of ${m.accounts.length}` : 'disabled')),
      cells(byModel ? (byModel.get(m.id) ?? emptyTotals()) : null),
      h('td', { class: 'num' }, price(m)),
    );
  });
  for (const [id, totals] of byModel ?? []) {
    if (id !== null && !models.some((m) => m.id === id)) rows.push(h('tr', { 'data-model': id }, h('td', {}, id, h('span', { class: 'sub' }, 'not in the config')), h('td', {}), cells(totals), h('td', {})));
  }
  if (rows.length === 0) {
    fill(root, head, emptyState('No models configured', h('p', {}, 'List what clients may ask for under ', code('models:'), ' in gateway.yaml.')));
    return;
  }
  fill(root, head, table(['Model', 'Accounts available', '#Requests', '#Tokens', '#Cost', '#Price'], rows, { class: 'models' }));
}

/**
 * By client family (from each request's user agent, read from the request log of the range).
 * @param {HTMLElement} root
 * @param {Model} model
 */
export function renderClients(root, model) {
  const log = model.rangeLog;
  const head = panelHead('By client', 'from each request’s user agent');
  if (!log.loaded) {
    fill(root, head, model.usageError ? emptyState('Not available', 'The client of each request is read from the request log in the usage store.') : loading(pendingText(model)));
    return;
  }
  const families = sumByClient(log.records);
  if (families.length === 0) {
    fill(root, head, emptyState('No requests in this range', 'Each tool shows up here by its user agent: OpenClaw, Codex, OpenCode, the OpenAI and Vercel AI SDKs, curl.'));
    return;
  }
  const total = log.records.length;
  const rows = families.map(({ family, totals }) => {
    const share = h('span', { class: 'meter' }, h('span', { class: 'meter-fill info' }));
    /** @type {HTMLElement} */ (share.firstChild).style.width = `${((totals.requests / total) * 100).toFixed(1)}%`;
    return h(
      'tr',
      { 'data-client': family },
      h('td', {}, h('span', { class: 'key-name' }, family)),
      h('td', { class: 'num', 'data-col': 'requests' }, formatInt(totals.requests)),
      h('td', { class: 'num', 'data-col': 'errors' }, formatInt(totals.errors)),
      h('td', { class: 'num' }, formatCompact(totals.totalTokens)),
      h('td', { class: 'num' }, formatUsd(totals.costUsd, totals.unpricedRequests)),
      h('td', { class: 'share' }, share, h('span', { class: 'sub' }, formatPercent(totals.requests / total))),
    );
  });
  const notes = [
    log.truncated ? `Counted over the latest ${formatInt(CLIENT_LOG_LIMIT)} requests of the range.` : null,
    'OpenClaw sends the OpenAI JS SDK’s user agent, so it counts as “OpenAI SDK”: give each tool its own API key to tell them apart for certain.',
  ];
  fill(root, head, table(['Client', '#Requests', '#Errors', '#Tokens', '#Cost', 'Share'], rows, { class: 'clients' }), notes.map((note) => (note ? h('p', { class: 'note' }, note) : null)));
}
