// @ts-check
/** Number, money, duration and time formatting for the dashboard, in the browser's locale. */

const integer = new Intl.NumberFormat(undefined, { maximumFractionDigits: 0 });
const cents = new Intl.NumberFormat('en-US', { maximumSignificantDigits: 2, useGrouping: false });
const compact = new Intl.NumberFormat(undefined, { notation: 'compact', maximumFractionDigits: 1 });

/** @param {number | null | undefined} n */
export function formatInt(n) {
  return n === null || n === undefined ? '—' : integer.format(n);
}

/** Short form for large counts: 1.2K, 3.4M. @param {number | null | undefined} n */
export function formatCompact(n) {
  if (n === null || n === undefined) return '—';
  return Math.abs(n) < 10_000 ? integer.format(n) : compact.format(n);
}

/**
 * US dollars; a cost with unpriced requests is a lower bound, shown as `≥ $…`.
 * @param {number | null | undefined} usd
 * @param {number} [unpriced]
 */
export function formatUsd(usd, unpriced = 0) {
  if (usd === null || usd === undefined) return '—';
  // One request costs fractions of a cent: show its two significant digits, not `$0.00`.
  const text = usd !== 0 && Math.abs(usd) < 0.01 ? `$${cents.format(usd)}` : `$${usd.toFixed(2)}`;
  return unpriced > 0 ? `≥ ${text}` : text;
}

/** @param {number | null | undefined} ms */
export function formatMs(ms) {
  if (ms === null || ms === undefined) return '—';
  if (ms < 1000) return `${Math.round(ms)} ms`;
  if (ms < 60_000) return `${(ms / 1000).toFixed(ms < 10_000 ? 2 : 1)} s`;
  return formatSpan(ms);
}

/** A long duration: `2h 5m`, `3m 10s`, `45s`. @param {number} ms */
export function formatSpan(ms) {
  const seconds = Math.max(0, Math.round(ms / 1000));
  const d = Math.floor(seconds / 86_400);
  const hours = Math.floor((seconds % 86_400) / 3600);
  const m = Math.floor((seconds % 3600) / 60);
  const sec = seconds % 60;
  if (d > 0) return `${d}d ${hours}h`;
  if (hours > 0) return `${hours}h ${m}m`;
  if (m > 0) return `${m}m ${sec}s`;
  return `${sec}s`;
}

/** @param {number} ratio 0…1 */
export function formatPercent(ratio) {
  if (!Number.isFinite(ratio)) return '—';
  const pct = ratio * 100;
  return `${pct === 0 || pct >= 10 ? pct.toFixed(0) : pct.toFixed(1)}%`;
}

/** Local wall-clock time of an ISO timestamp. @param {string | null | undefined} iso */
export function formatTime(iso) {
  if (!iso) return '—';
  return new Date(iso).toLocaleTimeString(undefined, { hour: '2-digit', minute: '2-digit', second: '2-digit', hour12: false });
}

/** @param {string | null | undefined} iso */
export function formatDateTime(iso) {
  if (!iso) return '—';
  return new Date(iso).toLocaleString(undefined, { year: 'numeric', month: 'short', day: 'numeric', hour: '2-digit', minute: '2-digit', second: '2-digit', hour12: false });
}

/**
 * `in 3m 10s` / `5m 2s ago` relative to now.
 * @param {string | null | undefined} iso
 * @param {number} [now]
 */
export function formatRelative(iso, now = Date.now()) {
  if (!iso) return '—';
  const delta = new Date(iso).getTime() - now;
  if (Math.abs(delta) < 1000) return 'now';
  return delta > 0 ? `in ${formatSpan(delta)}` : `${formatSpan(-delta)} ago`;
}

/**
 * A limit amount in its unit: dollars for cost limits, counts otherwise.
 * @param {string} kind LimitKind
 * @param {number | null | undefined} value
 */
export function formatLimitAmount(kind, value) {
  if (value === null || value === undefined) return '—';
  return kind === 'COST_USD' ? formatUsd(value) : formatCompact(value);
}
