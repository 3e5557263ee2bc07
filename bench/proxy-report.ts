import { readFileSync, writeFileSync } from 'node:fs';

export interface BenchRow {
  scenario: string;
  target: string;
  rps: number;
  p50: number;
  p99: number;
  errors: number;
}

export interface ProxyReport {
  rows: BenchRow[];
  ratios: { scenario: string; ratio: number }[];
  duration: number;
  connections: number;
  machine: string;
}

const GOAL = 0.6;

/**
 * Rewrites only the "## Proxy" section of docs/benchmarks.md (other sections belong to other
 * benches), appending it when absent.
 */
export function writeProxySection(file: string, report: ProxyReport): string {
  let text = '';
  try {
    text = readFileSync(file, 'utf8');
  } catch {
    text = '# Benchmarks\n\nMeasured figures; each section is owned by the part it measures.\n';
  }
  const section = render(report);
  const start = text.search(/^## Proxy\s*$/m);
  if (start === -1) {
    text = `${text.trimEnd()}\n\n${section}`;
  } else {
    const after = text.slice(start + 1).search(/^## /m);
    const end = after === -1 ? text.length : start + 1 + after;
    text = `${text.slice(0, start)}${section}${after === -1 ? '' : '\n'}${text.slice(end)}`;
  }
  writeFileSync(file, text.endsWith('\n') ? text : `${text}\n`);
  return file;
}

function render(report: ProxyReport): string {
  const lines = [
    '## Proxy',
    '',
    '`npm run bench` (`bench/run.ts`): a fast fake OpenAI upstream, a minimal Node pass-through proxy',
    '(`bench/bare-proxy.ts`: `http.request` + `pipe`, keep-alive agent) and the gateway (compiled, from',
    '`dist/`, two `openai` accounts on round robin, usage captured for every request), each in its own',
    `process, loaded one after the other in the same run with autocannon (${report.connections} connections,`,
    `${report.duration} s per run after a discarded warm-up run). Request: a ~1.3 KB chat body; answer: a`,
    'small completion, or a 12-event SSE stream written at once. "usage added and stripped" is a stream',
    'whose client did not ask for `include_usage`: the gateway rewrites the body to ask for it and removes',
    'the extra chunk on the way back.',
    '',
    `Machine: ${report.machine}. Load generator and servers share the machine.`,
    '',
    '| scenario | target | req/s | p50 ms | p99 ms | errors |',
    '|---|---|---:|---:|---:|---:|',
    ...report.rows.map((r) => `| ${r.scenario} | ${r.target} | ${Math.round(r.rps).toLocaleString('en-US')} | ${r.p50} | ${r.p99} | ${r.errors} |`),
    '',
    '| scenario | gateway / bare proxy | goal (non-stream ≥ 0.6) |',
    '|---|---:|---|',
    ...report.ratios.map((r) => `| ${r.scenario} | ${r.ratio.toFixed(2)} | ${r.scenario === 'non-stream' ? (r.ratio >= GOAL ? 'met' : 'NOT met') : '—'} |`),
    '',
  ];
  return `${lines.join('\n')}\n`;
}
