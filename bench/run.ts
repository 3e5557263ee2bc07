import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { REQUEST_LOG_TABLE } from '../src/store/usage-tables.js';
import { BENCH_KEYS } from './bench-keys.js';
import { buildDist } from './build-dist.js';
import { BENCH_MODEL, largeConfig, largeKeyHashes, LOAD_KEY, smallConfig } from './bench-config.js';
import { writeDocSection } from './doc-section.js';
import { cpuOf, PROCESS_OF, TARGETS, type BenchData, type LoadRow, type SequentialRound, type Target } from './goals.js';
import { saturate, sequential, type Shape } from './load.js';
import { openStreams } from './open-streams.js';
import { startProcess, type BenchProcess } from './processes.js';
import { printGoals, renderProxySection } from './proxy-report.js';
import { reloadUnderLoad } from './reload-under-load.js';
import { ARGS, numberOption, ROOT } from './cli-options.js';
import { startScriptNodeFlags } from './node-flags.js';

/**
 * `npm run bench`: the reference benchmark (see the "Proxy" section of docs/benchmarks.md for
 * what each figure is). Options: --duration <s> (default 10), --rounds <n> (default 2),
 * --connections <n> (default 50), --streams <n> (default 2000), --sequential <n> (default 1000),
 * --no-build, --no-write. `--gateway-node-args "<flags>"` starts the gateway with extra node
 * flags (e.g. "--cpu-prof --cpu-prof-dir=/tmp/prof") for profiling.
 */

const duration = numberOption('duration', 10);
const rounds = numberOption('rounds', 2);
const connections = numberOption('connections', 50);
const streamCount = numberOption('streams', 2000);
const sequentialCount = numberOption('sequential', 1000);
const gatewayNodeArgs = (() => {
  const at = ARGS.indexOf('--gateway-node-args');
  return at === -1 ? [] : ARGS[at + 1].split(' ').filter((a) => a !== '');
})();
const write = (line: string) => process.stdout.write(`${line}\n`);

const messages = [
  { role: 'system', content: 'You are a helpful assistant. '.repeat(40) },
  { role: 'user', content: 'Summarise the plot of a short story about a fox in two sentences.' },
];
const auth = { authorization: `Bearer ${LOAD_KEY}` };
const shape = (body: object, headers: Record<string, string> = {}): Shape => ({ path: '/v1/chat/completions', body: JSON.stringify(body), headers: { ...auth, ...headers } });
const SCENARIOS: ReadonlyArray<{ name: string; shape: Shape }> = [
  { name: 'non-stream', shape: shape({ model: BENCH_MODEL, messages }) },
  { name: 'stream', shape: shape({ model: BENCH_MODEL, messages, stream: true, stream_options: { include_usage: true } }) },
  { name: 'stream, usage added', shape: shape({ model: BENCH_MODEL, messages, stream: true }) },
];
const DRIP = shape({ model: BENCH_MODEL, messages, stream: true, stream_options: { include_usage: true } }, { 'x-bench-drip-ms': '5' });

async function main(): Promise<void> {
  buildDist(write);
  const dir = mkdtempSync(join(tmpdir(), 'codex-lb-bench-'));
  const configPath = join(dir, 'gateway.yaml');
  const upstream = await startProcess('upstream', ['--import', 'tsx', 'bench/fast-upstream.ts'], ROOT);
  const nodeFlags = startScriptNodeFlags();
  const bare = await startProcess('bare', [...nodeFlags, '--import', 'tsx', 'bench/bare-proxy.ts', upstream.url], ROOT);
  writeFileSync(configPath, smallConfig(upstream.url));
  const gateway = await startProcess('gateway', [...nodeFlags, ...gatewayNodeArgs, 'bin/codex-lb.js', 'start', '--config', configPath, '--no-watch'], ROOT);
  const processes: Record<Target, BenchProcess> = { direct: upstream, bare, gateway };
  const watched = [upstream, bare, gateway];
  const url = (t: Target) => processes[t].url;
  let sentToGateway = 0;
  try {
    const loads: LoadRow[] = [];
    for (const scenario of SCENARIOS) {
      for (const t of TARGETS) {
        // Discarded: JIT, keep-alive pools, first SQLite pages.
        const warm = await saturate(url(t), scenario.shape, Math.min(3, duration), connections, watched);
        if (warm.errors > 0) throw new Error(`${t} failed ${warm.errors} requests while warming up (${scenario.name})`);
        if (t === 'gateway') sentToGateway += warm.sent;
      }
      for (let round = 1; round <= rounds; round++) {
        for (let k = 0; k < TARGETS.length; k++) {
          const target = TARGETS[(k + round - 1) % TARGETS.length];
          const result = await saturate(url(target), scenario.shape, duration, connections, watched);
          if (target === 'gateway') sentToGateway += result.sent;
          loads.push({ scenario: scenario.name, round, target, result });
          write(
            `${scenario.name.padEnd(20)} round ${round} ${target.padEnd(8)} ${result.rps.toFixed(0).padStart(7)} req/s  p50 ${String(result.p50).padStart(3)} ms  p99 ${String(result.p99).padStart(3)} ms  errors ${result.errors}  CPU ${cpuOf(result, target).toFixed(0).padStart(4)} µs/req  RSS ${(result.rss[PROCESS_OF[target]] / 2 ** 20).toFixed(0)} MB`,
          );
        }
      }
    }

    const list = TARGETS.map((t) => ({ label: t, url: url(t) }));
    const sequentialRounds: SequentialRound[] = [];
    for (let round = 1; round <= rounds; round++) {
      const latency = await sequential(list, SCENARIOS[0].shape, sequentialCount, 100);
      const ttfb = await sequential(list, DRIP, Math.ceil(sequentialCount / 2), 50);
      sentToGateway += sequentialCount + 100 + Math.ceil(sequentialCount / 2) + 50;
      sequentialRounds.push({ round, latency, ttfb });
      const l = latency.byTarget;
      const f = ttfb.byTarget;
      write(
        `sequential round ${round}: p50 direct ${l.direct.total.p50.toFixed(3)} bare ${l.bare.total.p50.toFixed(3)} gateway ${l.gateway.total.p50.toFixed(3)} ms; TTFB p50 direct ${f.direct.firstByte.p50.toFixed(3)} bare ${f.bare.firstByte.p50.toFixed(3)} gateway ${f.gateway.firstByte.p50.toFixed(3)} ms`,
      );
    }

    const streamShape = SCENARIOS[1].shape;
    const streams = { bare: await openStreams(bare, upstream.url, streamShape, streamCount), gateway: await openStreams(gateway, upstream.url, streamShape, streamCount) };
    sentToGateway += streamCount;
    for (const [name, s] of Object.entries(streams)) {
      write(`${streamCount} open streams via ${name}: ${s.open} open, RSS ${(s.rss / 2 ** 20).toFixed(0)} MB (before ${(s.rssBefore / 2 ** 20).toFixed(0)} MB), ${s.completed} completed`);
    }

    const hashes = largeKeyHashes(BENCH_KEYS);
    const files = [1, 2, 3].map((v) => ({ label: `${v === 1 ? '2 accounts + 1 key → ' : ''}1,000 accounts + 10,000 keys (variant ${v})`, text: largeConfig(upstream.url, v, hashes) }));
    const reload = await reloadUnderLoad(gateway, configPath, files, SCENARIOS[0].shape, Math.max(6, duration), connections);
    sentToGateway += reload.load.sent;
    for (const r of reload.reloads) write(`reload ${r.label}: ${r.status}, round trip ${r.roundTripMs.toFixed(0)} ms, pipeline ${r.durationMs} ms`);
    write(`load during reloads: ${reload.load.rps.toFixed(0)} req/s, ${reload.load.errors} failed of ${reload.load.requests}`);

    await gateway.stop();
    const stored = countRecords(join(dir, 'data/codex-lb.sqlite'));
    write(`usage records stored: ${stored} (requests sent to the gateway: ${sentToGateway})`);

    const data: BenchData = {
      machine: `${cpus().length} vCPU ${cpus()[0]?.model.trim() ?? 'unknown CPU'}, Node ${process.versions.node}`,
      duration,
      connections,
      rounds,
      sequentialCount,
      scenarios: SCENARIOS.map((s) => s.name),
      loads,
      sequential: sequentialRounds,
      streams,
      reload,
      records: { stored, sent: sentToGateway },
    };
    printGoals(data, write);
    if (!ARGS.includes('--no-write')) {
      const file = join(ROOT, 'docs/benchmarks.md');
      writeDocSection(file, 'Proxy', renderProxySection(data));
      write(`figures written to ${file}`);
    }
  } finally {
    await Promise.all([gateway.stop(), bare.stop(), upstream.stop()]);
    rmSync(dir, { recursive: true, force: true });
  }
}

function countRecords(file: string): number {
  const db = new Database(file, { readonly: true });
  try {
    return (db.prepare(`SELECT COUNT(*) AS n FROM ${REQUEST_LOG_TABLE}`).get() as { n: number }).n;
  } finally {
    db.close();
  }
}

await main();
