// @ts-check
import { legend, stackedBarChart } from './chart.js';
import { emptyState, fill, h, loading, panelHead } from './dom.js';
import { formatCompact, formatInt, formatMs, formatPercent, formatTime, formatUsd } from './format.js';
import { RANGES, pendingText } from './model.js';
import { bucketSeries, requestPoints, rowPoints } from './usage-math.js';

/** @typedef {import('./model.js').Model} Model */
/** @typedef {import('./model.js').Actions} Actions */
/** @typedef {import('./model.js').Metric} Metric */
/** @typedef {import('./types.js').Totals} Totals */

/** @type {ReadonlyArray<{ metric: Metric, label: string }>} */
const METRICS = [
  { metric: 'requests', label: 'Requests' },
  { metric: 'tokens', label: 'Tokens' },
  { metric: 'cost', label: 'Cost' },
];

/**
 * What each metric stacks in a bar.
 * @type {Readonly<Record<Metric, { series: Array<{ label: string, className: string }>, values: (t: Totals) => number[], format: (n: number) => string, integer: boolean }>>}
 */
const STACKS = {
  requests: {
    series: [{ label: 'succeeded', className: 'fill-ok' }, { label: 'failed', className: 'fill-error' }],
    values: (t) => [t.requests - t.errors, t.errors],
    format: formatCompact,
    integer: true,
  },
  tokens: {
    series: [
      { label: 'input', className: 'fill-input' },
      { label: 'cached input', className: 'fill-cached' },
      { label: 'output', className: 'fill-output' },
    ],
    values: (t) => [t.inputTokens - t.cachedInputTokens, t.cachedInputTokens, t.outputTokens],
    format: formatCompact,
    integer: true,
  },
  cost: {
    series: [{ label: 'cost', className: 'fill-cost' }],
    values: (t) => [t.costUsd],
    format: (n) => (n === 0 ? '$0' : formatUsd(n)),
    integer: false,
  },
};

/**
 * @param {string} label
 * @param {string} value
 * @param {string} sub
 * @param {string} [name] a stable name for tests and styling
 */
function card(label, value, sub, name) {
  return h('div', { class: 'card', 'data-card': name }, h('div', { class: 'card-label' }, label), h('div', { class: 'card-value' }, value), h('div', { class: 'card-sub' }, sub));
}

/** @param {Totals} t */
function cards(t) {
  const errorRate = t.requests === 0 ? 0 : t.errors / t.requests;
  return h(
    'div',
    { class: 'cards' },
    card('Requests', formatInt(t.requests), `avg latency ${formatMs(t.averageLatencyMs)}`, 'requests'),
    card('Error rate', t.requests === 0 ? '—' : formatPercent(errorRate), `${formatInt(t.errors)} failed`, 'errors'),
    card('Tokens in', formatCompact(t.inputTokens), `${formatCompact(t.cachedInputTokens)} cached`, 'input'),
    card('Tokens out', formatCompact(t.outputTokens), `${formatCompact(t.reasoningTokens)} reasoning`, 'output'),
    // The card says the known cost; the requests without a price are named below it.
    card('Cost', formatUsd(t.costUsd), t.unpricedRequests > 0 ? `+ ${formatInt(t.unpricedRequests)} unpriced request${t.unpricedRequests === 1 ? '' : 's'}` : t.requests === 0 ? 'no requests' : 'all requests priced', 'cost'),
  );
}

/** @param {Model} model */
function series(model) {
  const report = model.usage;
  if (report === null) return null;
  const range = RANGES[model.range];
  const from = Date.parse(report.range.from);
  if (range.bucket === null) {
    // Per minute, from the request log, up to now (the hour-widened range ends in the future).
    const to = Math.min(Date.parse(report.range.to), Date.now() + 1);
    return bucketSeries(requestPoints(model.rangeLog.records), from, to, range.stepMs);
  }
  return bucketSeries(rowPoints(report.rows), from, Date.parse(report.range.to), range.stepMs);
}

/**
 * @param {HTMLElement} root
 * @param {Model} model
 * @param {Actions} actions
 */
export function renderOverview(root, model, actions) {
  const range = RANGES[model.range];
  const report = model.usage;
  const toggles = METRICS.map(({ metric, label }) =>
    h('button', { type: 'button', class: 'seg', 'aria-pressed': String(model.metric === metric), onclick: () => actions.setMetric(metric) }, label),
  );
  const note = report ? `${range.label} · since ${formatTime(report.range.from)} (whole hours)` : range.label;
  const head = panelHead('Overview', note, h('div', { class: 'segmented', role: 'group', 'aria-label': 'Chart metric' }, toggles));
  if (report === null) {
    const body = model.usageError
      ? emptyState(
          'Usage history is not available',
          model.usageError,
          'Totals, the chart and the per-key, per-account and per-model figures come from the usage store (storage.url in gateway.yaml). The live feed below still shows requests as they end.',
        )
      : loading(model.connection === 'auth' ? pendingText(model) : 'Loading usage…');
    fill(root, head, body);
    return;
  }
  const stack = STACKS[model.metric];
  const buckets = (series(model) ?? []).map((bucket) => ({ start: bucket.start, values: stack.values(bucket.totals) }));
  const chart = stackedBarChart({
    buckets,
    series: stack.series,
    stepMs: range.stepMs,
    formatValue: stack.format,
    integer: stack.integer,
    emptyText: 'No requests in this range yet',
  });
  const chartNote =
    range.bucket === null && model.rangeLog.truncated ? h('p', { class: 'note' }, `Chart drawn from the latest ${formatInt(model.rangeLog.records.length)} requests of the log.`) : null;
  fill(root, head, cards(report.totals), h('figure', { class: 'chart-box' }, chart, h('figcaption', {}, legend(stack.series), chartNote)));
}
