import { writeFileSync } from 'node:fs';
import { performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import { saturate, type LoadResult, type Shape } from './load.js';
import type { BenchProcess } from './processes.js';

export interface ReloadTiming {
  readonly label: string;
  readonly status: string;
  /** The reload pipeline's own figure (read → parse → validate → build → swap), ms. */
  readonly durationMs: number;
  /** The admin `reloadConfig` mutation's round trip as a client sees it, ms. */
  readonly roundTripMs: number;
  readonly summary: string;
}

export interface ReloadResult {
  readonly reloads: readonly ReloadTiming[];
  readonly load: LoadResult;
}

const MUTATION = 'mutation { reloadConfig { status durationMs summary } }';

/**
 * Saturating load on the gateway while its config file is rewritten and reloaded through the
 * admin API's `reloadConfig` mutation, once per `files` entry, spread over the run. The load's
 * failures (non-2xx, errors, timeouts) are the "zero failed requests" figure.
 */
export async function reloadUnderLoad(
  gateway: BenchProcess,
  configPath: string,
  files: ReadonlyArray<{ label: string; text: string }>,
  shape: Shape,
  seconds: number,
  connections: number,
): Promise<ReloadResult> {
  const reloads: ReloadTiming[] = [];
  // The admin API's first request pays for Apollo's own warm-up; the figure is the reload's.
  await fetch(`${gateway.url}/graphql`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ query: '{ configStatus { version } }' }) });
  const loading = saturate(gateway.url, shape, seconds, connections, [gateway]);
  const gap = (seconds * 1000) / (files.length + 1);
  for (const file of files) {
    await sleep(gap);
    writeFileSync(configPath, file.text);
    const started = performance.now();
    const response = await fetch(`${gateway.url}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ query: MUTATION }),
    });
    const roundTripMs = performance.now() - started;
    const answer = (await response.json()) as { data?: { reloadConfig: { status: string; durationMs: number; summary: string } }; errors?: unknown };
    const result = answer.data?.reloadConfig;
    if (result === undefined) throw new Error(`reloadConfig failed: ${JSON.stringify(answer.errors)}`);
    reloads.push({ label: file.label, status: result.status, durationMs: result.durationMs, roundTripMs, summary: result.summary.slice(0, 120) });
  }
  return { reloads, load: await loading };
}
