import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { cpus } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import autocannon, { type Result } from 'autocannon';
import { writeProxySection, type BenchRow } from './proxy-report.js';

/**
 * `npm run bench`: a fast fake upstream, a minimal Node pass-through proxy and the gateway
 * (compiled, from dist/), each in its own process, loaded one after the other in the same run
 * with autocannon, non-streamed and streamed. Prints RPS, p50/p99 and the gateway/bare-proxy
 * ratio, and writes them to the "Proxy" section of docs/benchmarks.md.
 *
 * Options: --duration <s> (default 10), --connections <n> (default 50), --no-build, --no-write.
 */
const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const args = process.argv.slice(2);
const option = (name: string, fallback: number) => {
  const at = args.indexOf(`--${name}`);
  return at === -1 ? fallback : Number(args[at + 1]);
};
const duration = option('duration', 10);
const connections = option('connections', 50);

const messages = [
  { role: 'system', content: 'You are a helpful assistant. '.repeat(40) },
  { role: 'user', content: 'Summarise the plot of a short story about a fox in two sentences.' },
];
const SCENARIOS = [
  { name: 'non-stream', body: JSON.stringify({ model: 'bench-model', messages }) },
  { name: 'stream', body: JSON.stringify({ model: 'bench-model', messages, stream: true, stream_options: { include_usage: true } }) },
  { name: 'stream, usage added and stripped', body: JSON.stringify({ model: 'bench-model', messages, stream: true }) },
] as const;

function build(): void {
  if (args.includes('--no-build')) return;
  process.stdout.write('building dist/ (npm run build)…\n');
  const result = spawnSync('npm', ['run', 'build', '--silent'], { cwd: root, stdio: 'inherit' });
  if (result.status !== 0) process.stdout.write('warning: the build reported errors; using what it emitted\n');
  if (!existsSync(join(root, 'dist/src/main.js'))) throw new Error('dist/src/main.js is missing: the build failed');
}

async function startChild(command: string[], label: string): Promise<{ child: ChildProcess; url: string }> {
  const child = spawn(process.execPath, command, { cwd: root, stdio: ['ignore', 'pipe', 'inherit'] });
  const url = await new Promise<string>((resolve, reject) => {
    let buffered = '';
    child.stdout?.on('data', (chunk: Buffer) => {
      buffered += chunk.toString();
      const match = /LISTENING (\S+)/.exec(buffered);
      if (match) resolve(match[1]);
    });
    child.once('exit', (code) => reject(new Error(`${label} exited early (${code})`)));
  });
  return { child, url };
}

function load(url: string, body: string, seconds: number): Promise<Result> {
  return autocannon({ url, method: 'POST', connections, duration: seconds, headers: { 'content-type': 'application/json', authorization: 'Bearer dummy' }, body });
}

async function main(): Promise<void> {
  build();
  const upstream = await startChild(['--import', 'tsx', 'bench/fast-upstream.ts'], 'upstream');
  const bare = await startChild(['--import', 'tsx', 'bench/bare-proxy.ts', upstream.url], 'bare proxy');
  const gateway = await startChild(['bench/gateway-child.mjs', upstream.url], 'gateway');
  const targets = [
    { name: 'upstream (direct)', url: `${upstream.url}/v1/chat/completions` },
    { name: 'bare Node proxy', url: `${bare.url}/v1/chat/completions` },
    { name: 'codex-lb gateway', url: `${gateway.url}/v1/chat/completions` },
  ];
  const rows: BenchRow[] = [];
  try {
    for (const scenario of SCENARIOS) {
      for (const target of targets) {
        // A discarded warm-up (JIT, keep-alive pools), then the measured run.
        await load(target.url, scenario.body, Math.min(3, duration));
        const result = await load(target.url, scenario.body, duration);
        const row: BenchRow = {
          scenario: scenario.name,
          target: target.name,
          rps: result.requests.average,
          p50: result.latency.p50,
          p99: result.latency.p99,
          errors: result.errors + result.timeouts + result.non2xx,
        };
        rows.push(row);
        process.stdout.write(`${row.scenario.padEnd(34)} ${row.target.padEnd(18)} ${row.rps.toFixed(0).padStart(7)} req/s  p50 ${String(row.p50).padStart(4)} ms  p99 ${String(row.p99).padStart(4)} ms  errors ${row.errors}\n`);
      }
    }
  } finally {
    for (const child of [gateway.child, bare.child, upstream.child]) child.kill('SIGTERM');
  }
  const ratios = SCENARIOS.map((s) => {
    const of = (target: string) => rows.find((r) => r.scenario === s.name && r.target === target)?.rps ?? NaN;
    return { scenario: s.name, ratio: of('codex-lb gateway') / of('bare Node proxy') };
  });
  for (const r of ratios) process.stdout.write(`gateway / bare proxy, ${r.scenario}: ${r.ratio.toFixed(2)}\n`);
  if (!args.includes('--no-write')) {
    const file = writeProxySection(join(root, 'docs/benchmarks.md'), {
      rows,
      ratios,
      duration,
      connections,
      machine: `${cpus().length} vCPU ${cpus()[0]?.model.trim() ?? 'unknown CPU'}, Node ${process.versions.node}`,
    });
    process.stdout.write(`figures written to ${file}\n`);
  }
}

await main();
