import type { LoadResult, SequentialResult } from './load.js';
import type { OpenStreamsResult } from './open-streams.js';
import type { ReloadResult } from './reload-under-load.js';

export const TARGETS = ['direct', 'bare', 'gateway'] as const;
export type Target = (typeof TARGETS)[number];
/** The process whose CPU and memory a target's figures are about. */
export const PROCESS_OF: Record<Target, string> = { direct: 'upstream', bare: 'bare', gateway: 'gateway' };

export interface LoadRow {
  readonly scenario: string;
  readonly round: number;
  readonly target: Target;
  readonly result: LoadResult;
}

export interface SequentialRound {
  readonly round: number;
  readonly latency: SequentialResult;
  readonly ttfb: SequentialResult;
}

export interface BenchData {
  readonly machine: string;
  readonly duration: number;
  readonly connections: number;
  readonly rounds: number;
  readonly sequentialCount: number;
  readonly scenarios: readonly string[];
  readonly loads: readonly LoadRow[];
  readonly sequential: readonly SequentialRound[];
  readonly streams: { readonly bare: OpenStreamsResult; readonly gateway: OpenStreamsResult };
  readonly reload: ReloadResult;
  /** Usage records the gateway's SQLite store holds after its shutdown, and requests it was sent. */
  readonly records: { readonly stored: number; readonly sent: number };
}

export interface Goal {
  readonly figure: string;
  readonly value: string;
  readonly goal: string;
  readonly met: boolean;
}

const mean = (xs: readonly number[]) => xs.reduce((a, b) => a + b, 0) / Math.max(1, xs.length);

/** A per-round figure of one scenario, averaged over the rounds (ratios are taken within a round). */
function perRound(data: BenchData, scenario: string, of: (row: (t: Target) => LoadResult) => number): number[] {
  const values: number[] = [];
  for (let round = 1; round <= data.rounds; round++) {
    const row = (t: Target) => {
      const found = data.loads.find((r) => r.scenario === scenario && r.round === round && r.target === t);
      if (found === undefined) throw new Error(`missing ${scenario} round ${round} ${t}`);
      return found.result;
    };
    values.push(of(row));
  }
  return values;
}

export const cpuOf = (result: LoadResult, target: Target): number => result.cpuPerRequest[PROCESS_OF[target]] ?? NaN;

export function rpsRatios(data: BenchData, scenario: string): number[] {
  return perRound(data, scenario, (row) => row('gateway').rps / row('bare').rps);
}

export function cpuRatios(data: BenchData, scenario: string): number[] {
  return perRound(data, scenario, (row) => cpuOf(row('gateway'), 'gateway') / cpuOf(row('bare'), 'bare'));
}

/** Gateway (or bare proxy) minus direct, per round, ms. */
export function added(data: BenchData, which: 'latency' | 'ttfb', target: Target, q: 'p50' | 'p99'): number[] {
  return data.sequential.map((s) => {
    const by = s[which].byTarget;
    const metric = which === 'latency' ? 'total' : 'firstByte';
    return by[target][metric][q] - by.direct[metric][q];
  });
}

const fmt = (xs: readonly number[], digits: number, unit = '') => `${mean(xs).toFixed(digits)}${unit} (${xs.map((x) => x.toFixed(digits)).join(' / ')})`;
const mb = (bytes: number) => `${(bytes / 1024 / 1024).toFixed(0)} MB`;

export function goals(data: BenchData): Goal[] {
  const out: Goal[] = [];
  for (const scenario of data.scenarios) {
    const r = rpsRatios(data, scenario);
    out.push({ figure: `RPS gateway / bare, ${scenario}`, value: fmt(r, 2), goal: '≥ 0.75', met: mean(r) >= 0.75 });
  }
  for (const scenario of data.scenarios) {
    const r = cpuRatios(data, scenario);
    out.push({ figure: `CPU per request gateway / bare, ${scenario}`, value: fmt(r, 2), goal: '≤ 1.5', met: mean(r) <= 1.5 });
  }
  const latency = added(data, 'latency', 'gateway', 'p50');
  out.push({ figure: 'sequential added latency p50 (gateway − direct)', value: fmt(latency, 3, ' ms'), goal: '≤ 0.5 ms', met: mean(latency) <= 0.5 });
  const ttfb = added(data, 'ttfb', 'gateway', 'p50');
  out.push({ figure: 'stream TTFB added p50 (gateway − direct)', value: fmt(ttfb, 3, ' ms'), goal: '≤ 1 ms', met: mean(ttfb) <= 1 });
  const s = data.streams.gateway;
  out.push({
    figure: `RSS with ${s.streams.toLocaleString('en-US')} open streams`,
    value: `${mb(s.rss)} (${s.open} open, ${s.completed} completed; bare proxy ${mb(data.streams.bare.rss)})`,
    goal: '≤ 300 MB, all complete',
    met: s.rss <= 300 * 1024 * 1024 && s.completed === s.streams,
  });
  const reloads = data.reload.reloads;
  const worst = Math.max(...reloads.map((r) => r.roundTripMs));
  out.push({
    figure: 'reload 10,000 keys + 1,000 accounts (reloadConfig round trip)',
    value: `${worst.toFixed(0)} ms worst (${reloads.map((r) => `${r.roundTripMs.toFixed(0)}`).join(' / ')}; pipeline ${reloads.map((r) => r.durationMs.toFixed(0)).join(' / ')} ms)`,
    goal: '≤ 200 ms, all applied',
    met: worst <= 200 && reloads.every((r) => r.status === 'APPLIED' || r.status === 'applied'),
  });
  out.push({ figure: 'failed requests during the reloads', value: `${data.reload.load.errors} of ${data.reload.load.requests.toLocaleString('en-US')}`, goal: '0', met: data.reload.load.errors === 0 });
  return out;
}
