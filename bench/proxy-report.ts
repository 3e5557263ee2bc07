import { cpuOf, goals, PROCESS_OF, TARGETS, type BenchData, type Goal } from './goals.js';

const NAME: Record<(typeof TARGETS)[number], string> = { direct: 'upstream (direct)', bare: 'bare Node proxy', gateway: 'codex-lb gateway' };
const mb = (bytes: number) => (bytes / 1024 / 1024).toFixed(0);
const ms = (x: number) => x.toFixed(3);
const int = (x: number) => Math.round(x).toLocaleString('en-US');

export function goalTable(list: readonly Goal[]): string[] {
  return ['| figure | measured: mean (per round) | goal | result |', '|---|---|---|---|', ...list.map((g) => `| ${g.figure} | ${g.value} | ${g.goal} | ${g.met ? 'met' : '**NOT met**'} |`)];
}

/** The console summary: one line per goal. */
export function printGoals(data: BenchData, write: (line: string) => void): void {
  const list = goals(data);
  const width = Math.max(...list.map((g) => g.figure.length));
  write('');
  for (const g of list) write(`${g.figure.padEnd(width)}  ${g.value}  goal ${g.goal}  ${g.met ? 'met' : 'NOT met'}`);
}

function loadTable(data: BenchData): string[] {
  const lines = ['| scenario | round | target | req/s | p50 ms | p99 ms | errors | CPU µs/req (own process) | RSS MB |', '|---|---:|---|---:|---:|---:|---:|---:|---:|'];
  for (const row of data.loads) {
    const r = row.result;
    lines.push(`| ${row.scenario} | ${row.round} | ${NAME[row.target]} | ${int(r.rps)} | ${r.p50} | ${r.p99} | ${r.errors} | ${cpuOf(r, row.target).toFixed(0)} | ${mb(r.rss[PROCESS_OF[row.target]] ?? NaN)} |`);
  }
  return lines;
}

function sequentialTable(data: BenchData, which: 'latency' | 'ttfb'): string[] {
  const metric = which === 'latency' ? 'total' : 'firstByte';
  const lines = [
    '| round | direct p50 / p99 | bare p50 / p99 | gateway p50 / p99 | bare − direct p50 / p99 | gateway − direct p50 / p99 |',
    '|---:|---:|---:|---:|---:|---:|',
  ];
  for (const s of data.sequential) {
    const by = s[which].byTarget;
    const pair = (t: 'direct' | 'bare' | 'gateway') => `${ms(by[t][metric].p50)} / ${ms(by[t][metric].p99)}`;
    const diff = (t: 'bare' | 'gateway') => `${ms(by[t][metric].p50 - by.direct[metric].p50)} / ${ms(by[t][metric].p99 - by.direct[metric].p99)}`;
    lines.push(`| ${s.round} | ${pair('direct')} | ${pair('bare')} | ${pair('gateway')} | ${diff('bare')} | ${diff('gateway')} |`);
  }
  return lines;
}

export function renderProxySection(data: BenchData): string {
  const { streams, reload } = data;
  return [
    '## Proxy',
    '',
    '`npm run bench` (`bench/run.ts`) is the reference benchmark. One run starts, each in its own process, a',
    'fast fake OpenAI upstream (`bench/fast-upstream.ts`), a minimal Node pass-through proxy',
    '(`bench/bare-proxy.ts`: `http.request` + `pipe`, keep-alive agent) and the gateway as production runs it',
    '(`node <flags> bin/codex-lb.js start --no-watch`, compiled `dist/`, default features: info logging, the SQLite usage',
    'store next to the config file with the batching recorder), configured with `auth.enabled: true`, the',
    'load\'s API key and on it a policy with a requests, tokens and cost budget and a concurrency limit',
    '(`bench/bench-config.ts`). Every request is authenticated, admitted, routed, relayed, charged and recorded.',
    '`<flags>` are the Node flags of `npm start` (package.json, now `--max-semi-space-size=32`); the bare proxy runs',
    'with the same flags, so the ratios compare code, not runtime settings (`bench/node-flags.ts`).',
    '',
    'Reproduce: `npm run bench` (builds `dist/` first; `--duration <s>` per load run, default 10; `--rounds <n>`,',
    'default 2; `--connections <n>`, default 50; `--streams <n>`, default 2000; `--no-build`; `--no-write`).',
    '',
    'What is measured, all in the same run against the same upstream:',
    '- **load**: autocannon, after a discarded warm-up per target, for each scenario and round, the three targets',
    '  one after the other (the order rotates per round). Request: a ~1.3 KB chat body; answer: a small completion,',
    '  or a 12-event SSE stream. "usage added" is a stream whose client did not ask for `include_usage`: the',
    '  gateway rewrites the body to ask for it and strips the extra chunk on the way back. CPU per request is',
    '  `utime + stime` of the process (all threads, `/proc/<pid>/stat`) over the run ÷ requests served; RSS is',
    '  `VmRSS` from `/proc/<pid>/status` after the run.',
    `- **sequential added latency**: ${data.sequentialCount} non-streamed requests one at a time per target, targets interleaved,`,
    '  each on its own warm keep-alive socket; p50/p99 of each, minus the direct p50/p99.',
    '- **stream TTFB**: the same for streamed requests whose upstream sends its first event at once and the rest',
    '  5 ms later; time from sending to the first body byte, minus direct.',
    `- **open streams**: ${streams.gateway.streams.toLocaleString('en-US')} concurrent streams held open by the upstream after their first event, then released`,
    '  (each must end with `data: [DONE]`); the proxy\'s RSS with all of them open.',
    '- **reload under load**: during a non-streamed load on the gateway, its file is rewritten to 1,000 accounts and',
    '  10,000 keys (three variants, each a real change) and reloaded with the admin API\'s `reloadConfig` mutation;',
    '  the mutation\'s round trip, the pipeline\'s own `durationMs`, and the load\'s failed requests.',
    '',
    `Machine: ${data.machine}. The load generator and the servers share the machine's cores with each other and`,
    'with other engineers\' test runs: absolute figures move by 10–30 % between runs (the direct upstream\'s RPS',
    'most of all), which is why the goals are ratios within one run and every figure is shown per round.',
    '',
    '### Goals',
    '',
    ...goalTable(goals(data)),
    '',
    'The auth + limits cost with 10,000 keys (goal ≤ 5 %) is measured by `npm run bench:limits`: see "Auth and limits".',
    '',
    '### Load',
    '',
    `${data.connections} connections, ${data.duration} s per run.`,
    '',
    ...loadTable(data),
    '',
    '### Sequential latency (ms)',
    '',
    ...sequentialTable(data, 'latency'),
    '',
    '### Stream time to first byte (ms)',
    '',
    ...sequentialTable(data, 'ttfb'),
    '',
    '### Open streams',
    '',
    '| proxy | streams | open at once | completed | RSS before MB | RSS open MB | opening took ms |',
    '|---|---:|---:|---:|---:|---:|---:|',
    ...(['bare', 'gateway'] as const).map((t) => {
      const s = streams[t];
      return `| ${NAME[t]} | ${s.streams} | ${s.open} | ${s.completed} | ${mb(s.rssBefore)} | ${mb(s.rss)} | ${s.openMs.toFixed(0)} |`;
    }),
    '',
    '### Reload under load',
    '',
    '| reload | status | reloadConfig round trip ms | pipeline durationMs | summary |',
    '|---|---|---:|---:|---|',
    ...reload.reloads.map((r) => `| ${r.label} | ${r.status} | ${r.roundTripMs.toFixed(0)} | ${r.durationMs.toFixed(1)} | ${r.summary.replace(/\|/g, '\\|')} |`),
    '',
    `Load during the reloads: ${int(reload.load.rps)} req/s, p99 ${reload.load.p99} ms, ${reload.load.errors} failed of ${int(reload.load.requests)}.`,
    '',
    `Usage records in the gateway's SQLite store after its shutdown: ${int(data.records.stored)} (requests sent to it: ${int(data.records.sent)}; requests cut by autocannon at the end of a run are recorded too, as 499).`,
    '',
  ].join('\n');
}
