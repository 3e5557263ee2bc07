import { Agent, request } from 'node:http';
import { performance } from 'node:perf_hooks';
import autocannon from 'autocannon';
import type { BenchProcess } from './processes.js';

/** One request shape the bench sends. */
export interface Shape {
  readonly path: string;
  readonly body: string;
  readonly headers: Readonly<Record<string, string>>;
}

export interface LoadResult {
  readonly rps: number;
  readonly requests: number;
  /** Requests sent, answered or not (autocannon cuts the last ones at the end of a run). */
  readonly sent: number;
  readonly p50: number;
  readonly p99: number;
  /** Transport errors, timeouts and non-2xx answers. */
  readonly errors: number;
  /** CPU time per request of each watched process, µs, by label. */
  readonly cpuPerRequest: Record<string, number>;
  /** RSS of each watched process after the run, bytes, by label. */
  readonly rss: Record<string, number>;
}

/**
 * Saturating load with autocannon; the CPU time every watched process used during it, from
 * /proc, divided by the requests served.
 */
export async function saturate(url: string, shape: Shape, seconds: number, connections: number, watched: readonly BenchProcess[]): Promise<LoadResult> {
  const before = watched.map((p) => p.cpuMicros());
  const result = await autocannon({
    url,
    connections,
    duration: seconds,
    requests: [{ method: 'POST', path: shape.path, headers: { 'content-type': 'application/json', ...shape.headers }, body: shape.body }],
  });
  const requests = Math.max(1, result.requests.total);
  const cpuPerRequest: Record<string, number> = {};
  const rss: Record<string, number> = {};
  watched.forEach((p, i) => {
    cpuPerRequest[p.label] = (p.cpuMicros() - before[i]) / requests;
    rss[p.label] = p.memory().rss;
  });
  return { rps: result.requests.average, requests: result.requests.total, sent: result.requests.sent, p50: result.latency.p50, p99: result.latency.p99, errors: result.errors + result.timeouts + result.non2xx, cpuPerRequest, rss };
}

export interface Timing {
  /** Request sent → last byte, ms. */
  readonly total: number;
  /** Request sent → first body byte, ms. */
  readonly firstByte: number;
}

/** One request on a keep-alive agent, timed with the monotonic clock. */
export function timedRequest(agent: Agent, url: string, shape: Shape): Promise<Timing> {
  return new Promise((resolve, reject) => {
    const target = new URL(shape.path, url);
    const started = performance.now();
    let firstByte = NaN;
    const req = request(
      { hostname: target.hostname, port: target.port, path: target.pathname, method: 'POST', agent, headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(shape.body), ...shape.headers } },
      (res) => {
        res.once('data', () => (firstByte = performance.now() - started));
        res.on('data', () => {});
        res.on('end', () => {
          if ((res.statusCode ?? 0) >= 300) reject(new Error(`${url}${shape.path} answered ${res.statusCode}`));
          else resolve({ total: performance.now() - started, firstByte });
        });
        res.on('error', reject);
      },
    );
    req.on('error', reject);
    req.end(shape.body);
  });
}

export interface SequentialResult {
  /** Per target label: p50 and p99 of total time and of time to first byte, ms. */
  readonly byTarget: Record<string, { total: Percentiles; firstByte: Percentiles }>;
}

export interface Percentiles {
  readonly p50: number;
  readonly p99: number;
}

/**
 * One request at a time (nothing queues anywhere), `count` per target, the targets interleaved
 * so drift on a shared machine reaches all of them alike. Each target has its own warm socket.
 */
export async function sequential(targets: ReadonlyArray<{ label: string; url: string }>, shape: Shape, count: number, warmup: number): Promise<SequentialResult> {
  const agents = targets.map(() => new Agent({ keepAlive: true, maxSockets: 1 }));
  const samples = targets.map(() => ({ total: [] as number[], firstByte: [] as number[] }));
  try {
    for (let i = 0; i < warmup + count; i++) {
      for (let k = 0; k < targets.length; k++) {
        const t = (i + k) % targets.length;
        const timing = await timedRequest(agents[t], targets[t].url, shape);
        if (i < warmup) continue;
        samples[t].total.push(timing.total);
        samples[t].firstByte.push(timing.firstByte);
      }
    }
  } finally {
    for (const agent of agents) agent.destroy();
  }
  const byTarget: SequentialResult['byTarget'] = {};
  targets.forEach((target, t) => {
    byTarget[target.label] = { total: percentiles(samples[t].total), firstByte: percentiles(samples[t].firstByte) };
  });
  return { byTarget };
}

export function percentiles(values: readonly number[]): Percentiles {
  const sorted = [...values].sort((a, b) => a - b);
  const at = (q: number) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? NaN;
  return { p50: at(0.5), p99: at(0.99) };
}
