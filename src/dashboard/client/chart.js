// @ts-check
import { h, s } from './dom.js';

/**
 * A stacked bar chart drawn as inline SVG: one bar per time bucket, one stacked segment per
 * series, a y axis with round ticks and a few time labels. Each bar carries a <title>, which
 * browsers show on hover. Colours come from CSS classes, so light and dark themes restyle it.
 */

/**
 * @typedef {{ label: string, className: string }} Series
 * @typedef {{
 *   buckets: Array<{ start: number, values: number[] }>,
 *   series: Series[],
 *   stepMs: number,
 *   formatValue: (value: number) => string,
 *   integer: boolean,
 *   emptyText: string,
 * }} ChartData
 */

const WIDTH = 960;
const HEIGHT = 240;
const PAD = { top: 12, right: 12, bottom: 28, left: 64 };
const TICKS = 4;

/** @param {number} n */
const round = (n) => Number(n.toPrecision(12));

/**
 * A round axis maximum at or above `max`, and its tick step (1, 2, 2.5 or 5 times a power of
 * ten; whole numbers for counts, so no two ticks read the same).
 * @param {number} max
 * @param {boolean} [integer]
 * @returns {{ top: number, step: number }}
 */
export function niceScale(max, integer = false) {
  if (!(max > 0)) return { top: TICKS, step: 1 };
  const raw = max / TICKS;
  const power = 10 ** Math.floor(Math.log10(raw));
  let step = round([1, 2, 2.5, 5, 10].map((m) => m * power).find((candidate) => candidate >= raw) ?? 10 * power);
  if (integer) step = Math.max(1, Math.ceil(step));
  return { top: round(step * TICKS), step };
}

const MINUTE = 60_000;
const HOUR = 3_600_000;
const DAY = 86_400_000;
/** Label spacings on round clock times, finest first. */
const LABEL_EVERY = [5 * MINUTE, 10 * MINUTE, 15 * MINUTE, 30 * MINUTE, HOUR, 3 * HOUR, 6 * HOUR, 12 * HOUR, DAY, 2 * DAY, 7 * DAY];
const MAX_LABELS = 8;

/**
 * The spacing of the x labels: the finest round interval that keeps them at most MAX_LABELS.
 * @param {number} buckets
 * @param {number} stepMs
 */
export function labelSpacing(buckets, stepMs) {
  const span = buckets * stepMs;
  return LABEL_EVERY.find((every) => every >= stepMs && span / every <= MAX_LABELS) ?? span;
}

/**
 * A clock time, or a date when labels are a day or more apart (days are UTC, like the rollups).
 * @param {number} start epoch ms
 * @param {number} every label spacing
 */
function timeLabel(start, every) {
  const date = new Date(start);
  if (every >= DAY) return date.toLocaleDateString(undefined, { month: 'short', day: 'numeric', timeZone: 'UTC' });
  return date.toLocaleTimeString(undefined, { hour: '2-digit', minute: '2-digit', hour12: false });
}

/**
 * @param {ChartData} data
 * @returns {SVGElement}
 */
export function stackedBarChart(data) {
  const plotW = WIDTH - PAD.left - PAD.right;
  const plotH = HEIGHT - PAD.top - PAD.bottom;
  const totals = data.buckets.map((b) => b.values.reduce((sum, v) => sum + v, 0));
  const max = Math.max(0, ...totals);
  const { top, step } = niceScale(max, data.integer);
  const y = (/** @type {number} */ value) => PAD.top + plotH - (value / top) * plotH;
  const slot = plotW / Math.max(1, data.buckets.length);
  const barW = Math.max(1, Math.min(48, slot * 0.72));

  const grid = [];
  for (let i = 0; i <= TICKS; i++) {
    const value = round(i * step);
    grid.push(
      s('line', { class: 'grid', x1: PAD.left, x2: WIDTH - PAD.right, y1: y(value), y2: y(value) }),
      s('text', { class: 'axis', x: PAD.left - 8, y: y(value) + 4, 'text-anchor': 'end' }, data.formatValue(value)),
    );
  }

  const every = labelSpacing(data.buckets.length, data.stepMs);
  const tipFormat = data.stepMs >= DAY ? DAY : MINUTE;
  const bars = data.buckets.map((bucket, index) => {
    const x = PAD.left + index * slot + (slot - barW) / 2;
    let base = 0;
    const segments = bucket.values.map((value, i) => {
      const rect = s('rect', { class: data.series[i]?.className ?? '', x, y: y(base + value), width: barW, height: Math.max(0, y(base) - y(base + value)) });
      base += value;
      return value > 0 ? rect : null;
    });
    const tip = `${timeLabel(bucket.start, tipFormat)} · ${data.series.map((series, i) => `${series.label} ${data.formatValue(bucket.values[i] ?? 0)}`).join(', ')}`;
    // A transparent full-height target so hovering an empty or tiny bar still shows its numbers.
    const target = s('rect', { class: 'hover', x: PAD.left + index * slot, y: PAD.top, width: slot, height: plotH });
    const label = bucket.start % every === 0 ? s('text', { class: 'axis', x: x + barW / 2, y: HEIGHT - 8, 'text-anchor': 'middle' }, timeLabel(bucket.start, every)) : null;
    return s('g', { class: 'bar' }, s('title', {}, tip), target, segments, label);
  });

  const empty = max === 0 ? s('text', { class: 'chart-empty', x: PAD.left + plotW / 2, y: PAD.top + plotH / 2, 'text-anchor': 'middle' }, data.emptyText) : null;
  return s(
    'svg',
    { class: 'chart', viewBox: `0 0 ${WIDTH} ${HEIGHT}`, role: 'img', 'aria-label': `${data.series.map((x) => x.label).join(', ')} over time` },
    grid,
    bars,
    empty,
  );
}

/**
 * The chart's legend: a swatch and a label per series.
 * @param {Series[]} series
 */
export function legend(series) {
  return h(
    'ul',
    { class: 'legend' },
    series.map((entry) => h('li', {}, s('svg', { class: 'swatch', viewBox: '0 0 10 10', width: 10, height: 10, 'aria-hidden': 'true' }, s('rect', { class: entry.className, width: 10, height: 10, rx: 2 })), entry.label)),
  );
}
