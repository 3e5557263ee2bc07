import { spawn, type ChildProcess } from 'node:child_process';
import { cpus } from 'node:os';
import { join } from 'node:path';
import autocannon from 'autocannon';
import { BENCH_KEYS, benchKey } from './bench-keys.js';
import { writeDocSection } from './doc-section.js';
import { ARGS, numberOption, ROOT } from './cli-options.js';

/**
 * `npm run bench:limits`: what API keys and rate limits cost on the hot path. Two gateways in
 * front of the proxy bench's fast upstream — `open` (auth off, no policies: the `npm run bench`
 * setup) and `keys` (auth on, 10,000 keys, every key with a requests + tokens + cost +
 * concurrency policy, counters in memory) — loaded in alternating rounds with autocannon, the
 * clients rotating over 1,000 of the keys. Cost = 1 − RPS(keys) / RPS(open); the goal is ≤ 5 %.
 * Writes the "## Auth and limits" section of docs/benchmarks.md.
 *
 * Options: --duration <s> per round (default 10), --rounds <n> (default 3), --connections <n>
 * (default 50), --no-write.
 */

const duration = numberOption('duration', 10);
const rounds = numberOption('rounds', 3);
const connections = numberOption('connections', 50);
const ROTATED_KEYS = 1_000;
const GOAL = 0.05;

const body = JSON.stringify({
  model: 'bench-model',
  messages: [
    { role: 'system', content: 'You are a helpful assistant. '.repeat(40) },
    { role: 'user', content: 'Summarise the plot of a short story about a fox in two sentences.' },
  ],
});

interface Child {
  child: ChildProcess;
  url: string;
  /** The child's CPU time so far (µs), for gateways. */
  cpu(): Promise<number>;
}

async function startChild(command: string[], label: string): Promise<Child> {
  const child = spawn(process.execPath, command, { cwd: ROOT, stdio: ['ignore', 'pipe', 'inherit'] });
  let buffered = '';
  const waiting: Array<(us: number) => void> = [];
  const url = await new Promise<string>((resolve, reject) => {
    child.stdout?.on('data', (chunk: Buffer) => {
      buffered += chunk.toString();
      const match = /LISTENING (\S+)/.exec(buffered);
      if (match) resolve(match[1]);
      for (let cpu = /CPU (\d+)\n/.exec(buffered); cpu !== null; cpu = /CPU (\d+)\n/.exec(buffered)) {
        buffered = buffered.slice(cpu.index + cpu[0].length);
        waiting.shift()?.(Number(cpu[1]));
      }
    });
    child.once('exit', (code) => reject(new Error(`${label} exited early (${code})`)));
  });
  const cpu = () =>
    new Promise<number>((resolve) => {
      waiting.push(resolve);
      child.kill('SIGUSR2');
    });
  return { child, url, cpu };
}

interface Run {
  rps: number;
  p50: number;
  p99: number;
  errors: number;
  /** Gateway CPU time per request (µs). */
  cpuPerRequest: number;
}

async function load(target: Child, withKeys: boolean, seconds: number): Promise<Run> {
  const requests = Array.from({ length: withKeys ? ROTATED_KEYS : 1 }, (_, i) => ({
    method: 'POST',
    path: '/v1/chat/completions',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${withKeys ? benchKey((i * 7) % BENCH_KEYS) : 'dummy'}` },
    body,
  }));
  const before = await target.cpu();
  const result = await autocannon({ url: target.url, connections, duration: seconds, requests });
  const cpu = (await target.cpu()) - before;
  return {
    rps: result.requests.average,
    p50: result.latency.p50,
    p99: result.latency.p99,
    errors: result.errors + result.timeouts + result.non2xx,
    cpuPerRequest: cpu / Math.max(1, result.requests.total),
  };
}

interface Round {
  open: Run;
  keys: Run;
}

async function main(): Promise<void> {
  const upstream = await startChild(['--import', 'tsx', 'bench/fast-upstream.ts'], 'upstream');
  const open = await startChild(['--import', 'tsx', 'bench/limits-gateway-child.ts', upstream.url, 'open'], 'gateway (open)');
  const keyed = await startChild(['--import', 'tsx', 'bench/limits-gateway-child.ts', upstream.url, 'keys'], 'gateway (keys)');
  const results: Round[] = [];
  let errors = 0;
  try {
    // Warm-up of both (JIT, keep-alive pools), discarded.
    await load(open, false, Math.min(3, duration));
    await load(keyed, true, Math.min(3, duration));
    for (let round = 1; round <= rounds; round++) {
      // Alternate which goes first, so drift on a shared machine hits both alike.
      const order = round % 2 === 1 ? (['open', 'keys'] as const) : (['keys', 'open'] as const);
      const row: Partial<Round> = {};
      for (const which of order) {
        const r = await load(which === 'open' ? open : keyed, which === 'keys', duration);
        row[which] = r;
        errors += r.errors;
        process.stdout.write(
          `round ${round} ${which.padEnd(5)} ${r.rps.toFixed(0).padStart(7)} req/s  ${r.cpuPerRequest.toFixed(0).padStart(4)} µs CPU/req  p50 ${r.p50} ms  p99 ${r.p99} ms  errors ${r.errors}\n`,
        );
      }
      results.push(row as Round);
    }
  } finally {
    for (const c of [keyed.child, open.child, upstream.child]) c.kill('SIGTERM');
  }
  const summary = summarize(results);
  process.stdout.write(
    `auth + limits cost: ${pct(summary.rpsCost)} of RPS, ${pct(summary.cpuCost)} of gateway CPU per request (goal ≤ ${GOAL * 100} %), errors ${errors}\n`,
  );
  if (!ARGS.includes('--no-write')) {
    const machine = `${cpus().length} vCPU ${cpus()[0]?.model.trim() ?? 'unknown CPU'}, Node ${process.versions.node}`;
    const file = join(ROOT, 'docs/benchmarks.md');
    writeDocSection(file, 'Auth and limits', render(results, summary, errors, machine));
    process.stdout.write(`figures written to ${file}\n`);
  }
}

interface Summary {
  openRps: number;
  keysRps: number;
  openCpu: number;
  keysCpu: number;
  rpsCost: number;
  cpuCost: number;
}

function summarize(results: Round[]): Summary {
  const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
  const openRps = mean(results.map((r) => r.open.rps));
  const keysRps = mean(results.map((r) => r.keys.rps));
  const openCpu = mean(results.map((r) => r.open.cpuPerRequest));
  const keysCpu = mean(results.map((r) => r.keys.cpuPerRequest));
  return { openRps, keysRps, openCpu, keysCpu, rpsCost: 1 - keysRps / openRps, cpuCost: keysCpu / openCpu - 1 };
}

function pct(x: number): string {
  return `${(x * 100).toFixed(1)} %`;
}

function render(results: Round[], s: Summary, errors: number, machine: string): string {
  return [
    '## Auth and limits',
    '',
    '`npm run bench:limits` (`bench/auth-limits.ts`): what API keys and rate limits cost on the hot path.',
    "Two gateways (from the sources) in front of the proxy bench's fast upstream: **open** is the",
    '`npm run bench` setup (auth off, no keys, no policies); **keys** has `auth.enabled: true`, 10,000 keys',
    '(`keyHash:`) and on every key a policy with a requests, tokens and cost budget and a concurrency',
    'limit (counters in memory), so each request is authenticated (SHA-256 + lookup), admitted against',
    'three counters and one slot, gets its `x-ratelimit-*` headers, and is charged its tokens and cost at',
    `the end. Clients rotate over ${ROTATED_KEYS.toLocaleString('en-US')} of the keys. Non-streamed chat, ${connections} connections, ${duration} s`,
    `per run, ${results.length} alternating rounds after a discarded warm-up; goal: cost ≤ ${GOAL * 100} %.`,
    '',
    `Machine: ${machine}. Load generator and servers share the machine.`,
    '',
    'RPS on a saturated two-core machine moves by several percent between identical runs, so the',
    "gateway's own CPU time per request (from `process.cpuUsage()` around each run) is given too: it",
    'is what bounds the RPS a core can serve, and it is steadier.',
    '',
    '| round | open req/s | keys req/s | RPS cost | open CPU µs/req | keys CPU µs/req | CPU cost |',
    '|---|---:|---:|---:|---:|---:|---:|',
    ...results.map(
      (r, i) =>
        `| ${i + 1} | ${r.open.rps.toFixed(0)} | ${r.keys.rps.toFixed(0)} | ${pct(1 - r.keys.rps / r.open.rps)} | ${r.open.cpuPerRequest.toFixed(0)} | ${r.keys.cpuPerRequest.toFixed(0)} | ${pct(r.keys.cpuPerRequest / r.open.cpuPerRequest - 1)} |`,
    ),
    `| **mean** | **${s.openRps.toFixed(0)}** | **${s.keysRps.toFixed(0)}** | **${pct(s.rpsCost)}** | **${s.openCpu.toFixed(0)}** | **${s.keysCpu.toFixed(0)}** | **${pct(s.cpuCost)}** |`,
    '',
    `Result: ${s.rpsCost <= GOAL && s.cpuCost <= GOAL ? 'met' : 'NOT met'} (RPS cost ${pct(s.rpsCost)}, CPU cost ${pct(s.cpuCost)}); non-2xx/errors during the runs: ${errors}.`,
    '',
  ].join('\n');
}

await main();
