import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { parse, validate } from 'graphql';
import { describe, expect, it } from 'vitest';
import { buildAdminSchema } from '../../src/admin/admin-schema.js';
import { clientDirectory } from '../../src/dashboard/dashboard-assets.js';

/**
 * The browser modules that need no DOM, loaded here as the browser loads them (plain ES modules
 * from src/dashboard/client/): every GraphQL document the page sends is valid against the SDL,
 * user agents map to the right client family, and the usage sums agree.
 */
interface Totals {
  requests: number;
  errors: number;
  totalTokens: number;
  costUsd: number;
  averageLatencyMs: number | null;
}
interface UaFamily {
  clientFamily(userAgent: string | null): string;
}
interface UsageMath {
  sumBy(rows: Array<{ group: Record<string, string | null>; totals: Totals }>, dimension: string): Map<string | null, Totals>;
  bucketSeries(points: Array<{ at: number; totals: Totals }>, from: number, to: number, stepMs: number): Array<{ start: number; totals: Totals }>;
  emptyTotals(): Totals;
}
interface Chart {
  labelSpacing(buckets: number, stepMs: number): number;
  niceScale(max: number, integer?: boolean): { top: number; step: number };
}
interface Format {
  formatUsd(usd: number | null, unpriced?: number): string;
  formatSpan(ms: number): string;
}

async function load<T>(name: string): Promise<T> {
  return (await import(pathToFileURL(join(clientDirectory(), name)).href)) as T;
}

const totals = (requests: number, errors: number, latency: number): Totals => ({ ...{ inputTokens: 0, cachedInputTokens: 0, outputTokens: 0, reasoningTokens: 0, unpricedRequests: 0 }, requests, errors, totalTokens: requests * 10, costUsd: requests / 100, averageLatencyMs: latency });

describe('dashboard browser modules', () => {
  it('sends only GraphQL documents that are valid against the admin schema', async () => {
    const queries = await load<Record<string, unknown>>('queries.js');
    const schema = buildAdminSchema();
    const documents = Object.entries(queries).filter((entry): entry is [string, string] => typeof entry[1] === 'string');
    expect(documents.length).toBeGreaterThanOrEqual(11);
    for (const [name, text] of documents) expect(validate(schema, parse(text)).map((e) => e.message), name).toEqual([]);
  });

  it('names the client family of real user agents', async () => {
    const { clientFamily } = await load<UaFamily>('ua-family.js');
    const cases: Array<[string | null, string]> = [
      ['codex_exec/0.169.0 (Debian 12; x86_64) xterm-256color', 'Codex'],
      ['codex_cli_rs/0.169.0 (Mac OS 15.1.0; arm64) iTerm.app/3.5.4', 'Codex'],
      ['opencode/1.18.2 ai-sdk/provider-utils/3.0.9 runtime/bun/1.2.19', 'OpenCode'],
      ['ai/7.0.3 ai-sdk/provider-utils/4.0.1 runtime/node.js/v20.19.0', 'Vercel AI SDK'],
      ['OpenAI/JS 6.49.0', 'OpenAI SDK'],
      ['OpenAI/Python 1.99.1', 'OpenAI SDK'],
      ['openclaw/2026.9.1 OpenAI/JS 7.0.0', 'OpenClaw'],
      ['curl/8.5.0', 'curl'],
      ['Mozilla/5.0 (X11; Linux x86_64)', 'other'],
      ['', 'other'],
      [null, 'other'],
    ];
    for (const [ua, family] of cases) expect(clientFamily(ua), String(ua)).toBe(family);
  });

  it('folds one grouped report along each dimension, with the latency weighted by requests', async () => {
    const { sumBy, bucketSeries } = await load<UsageMath>('usage-math.js');
    const rows = [
      { group: { keyId: 'a', accountId: 'x', model: 'm' }, totals: totals(3, 1, 100) },
      { group: { keyId: 'a', accountId: null, model: 'm' }, totals: totals(1, 1, 20) },
      { group: { keyId: 'b', accountId: 'x', model: 'n' }, totals: totals(2, 0, 50) },
    ];
    const byKey = sumBy(rows, 'keyId');
    expect(byKey.get('a')).toMatchObject({ requests: 4, errors: 2, totalTokens: 40, averageLatencyMs: 80 });
    expect(byKey.get('b')).toMatchObject({ requests: 2, errors: 0 });
    const byAccount = sumBy(rows, 'accountId');
    expect(byAccount.get('x')?.requests).toBe(5);
    expect(byAccount.get(null)?.requests).toBe(1);

    const hour = 3_600_000;
    const series = bucketSeries([{ at: 2.5 * hour, totals: totals(2, 0, 10) }, { at: 2.9 * hour, totals: totals(1, 1, 40) }, { at: 9 * hour, totals: totals(5, 0, 1) }], 0, 4 * hour, hour);
    expect(series.map((b) => b.totals.requests)).toEqual([0, 0, 3, 0]);
    expect(series[2]!.totals.averageLatencyMs).toBe(20);
  });

  it('puts chart labels on round times and the y axis on round numbers', async () => {
    const { labelSpacing, niceScale } = await load<Chart>('chart.js');
    const minute = 60_000;
    const hour = 60 * minute;
    expect(labelSpacing(61, minute)).toBe(10 * minute);
    expect(labelSpacing(25, hour)).toBe(6 * hour);
    expect(labelSpacing(169, hour)).toBe(24 * hour);
    expect(labelSpacing(31, 24 * hour)).toBe(7 * 24 * hour);
    expect(niceScale(7, true)).toEqual({ top: 8, step: 2 });
    expect(niceScale(2, true)).toEqual({ top: 4, step: 1 });
    expect(niceScale(2)).toEqual({ top: 2, step: 0.5 });
    expect(niceScale(0.00054)).toEqual({ top: 0.0008, step: 0.0002 });
    expect(niceScale(0)).toEqual({ top: 4, step: 1 });
  });

  it('shows the cost of one request in significant digits, and bounds with unpriced requests', async () => {
    const { formatUsd, formatSpan } = await load<Format>('format.js');
    expect(formatUsd(0.00018)).toBe('$0.00018');
    expect(formatUsd(0)).toBe('$0.00');
    expect(formatUsd(12.5)).toBe('$12.50');
    expect(formatUsd(0.5, 2)).toBe('≥ $0.50');
    expect(formatUsd(null)).toBe('—');
    expect(formatSpan(3_725_000)).toBe('1h 2m');
  });
});
