/**
 * `npm run bench:store`: sustained throughput of the usage recorder into each store dialect.
 *
 * The producer keeps the recorder's queue fed (topping it up whenever fewer than 20,000 records
 * wait) for `--seconds` (default 10), then waits until everything is committed. Records/s =
 * records committed ÷ time from the first record to the last commit. Records look like real
 * traffic: 20 keys × 5 accounts × 6 models, current timestamps, so rollup upserts hit shared rows.
 * The recorder runs with the defaults of gateway.yaml (batch 500, interval 100 ms).
 *
 * SQLite runs in a temporary directory; MariaDB/MySQL runs when CODEX_LB_TEST_MYSQL_URL is set,
 * in a database created for the run and dropped after.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { randomBytes } from 'node:crypto';
import { createConnection } from 'mysql2/promise';
import { createLogger } from '../src/shared/logger.js';
import { openUsageStore } from '../src/store/open-store.js';
import { costMicroUsd, resolvePrice } from '../src/usage/pricing.js';
import { UsageRecorder } from '../src/usage/recorder.js';
import type { UsageRecord } from '../src/usage/usage-record.js';

const GOAL = 5_000;
const seconds = Number(process.argv[process.argv.indexOf('--seconds') + 1]) || 10;
const logger = createLogger({ level: 'warn' });
const MODELS = ['gpt-5.3-codex', 'gpt-5.2-codex', 'gpt-4o', 'gpt-4o-mini', 'o4-mini', 'gpt-4.1'];

function record(run: string, i: number): UsageRecord {
  const model = MODELS[i % MODELS.length]!;
  const usage = { inputTokens: 1_200 + (i % 5_000), cachedInputTokens: i % 800, outputTokens: 300 + (i % 2_000), reasoningTokens: i % 200 };
  return {
    requestId: `${run}-${i}`,
    startedAt: Date.now(),
    keyId: `key-${i % 20}`,
    accountId: `account-${i % 5}`,
    model,
    upstreamModel: null,
    endpoint: 'chat.completions',
    stream: i % 2 === 0,
    status: i % 50 === 0 ? 429 : 200,
    errorCode: i % 50 === 0 ? 'rate_limit_exceeded' : null,
    attempts: 1,
    usage,
    costMicroUsd: costMicroUsd(usage, resolvePrice([model])),
    latencyMs: 800 + (i % 3_000),
    ttftMs: 150,
    userAgent: 'OpenAI/JS 6.49.0',
  };
}

interface Result {
  store: string;
  records: number;
  seconds: number;
  perSecond: number;
  stored: number;
}

async function measure(label: string, url: string): Promise<Result> {
  const store = await openUsageStore(url, logger);
  const spoolDir = mkdtempSync(join(tmpdir(), 'codex-lb-bench-spool-'));
  const recorder = new UsageRecorder({ writer: store.writer, logger, spoolDir, batchSize: 500, intervalMs: 100, bufferLimit: 50_000 });
  const run = randomBytes(4).toString('hex');
  let produced = 0;
  const start = performance.now();
  try {
    while (performance.now() - start < seconds * 1_000) {
      if (recorder.stats().queued < 20_000) for (let i = 0; i < 500; i++) recorder.record(record(run, produced++));
      await new Promise((resolve) => setImmediate(resolve));
    }
    await recorder.drain(120_000);
    const elapsed = (performance.now() - start) / 1_000;
    const rows: { n: unknown }[] = await store.dataSource.query('SELECT COUNT(*) AS n FROM usage_request_log');
    const stats = recorder.stats();
    if (stats.spooled > 0 || stats.failures > 0) throw new Error(`unexpected spool/failures: ${JSON.stringify(stats)}`);
    return { store: label, records: produced, seconds: elapsed, perSecond: Math.round(stats.written / elapsed), stored: Number(rows[0]?.n) };
  } finally {
    await recorder.close();
    await store.close();
    rmSync(spoolDir, { recursive: true, force: true });
  }
}

async function main(): Promise<void> {
  const results: Result[] = [];
  const dir = mkdtempSync(join(tmpdir(), 'codex-lb-bench-'));
  try {
    results.push(await measure('SQLite (better-sqlite3, WAL)', `sqlite:${join(dir, 'usage.sqlite')}`));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }

  const mysqlUrl = process.env.CODEX_LB_TEST_MYSQL_URL;
  if (!mysqlUrl) {
    console.log('MariaDB/MySQL: skipped (set CODEX_LB_TEST_MYSQL_URL, e.g. mysql://root@127.0.0.1:3306/test)');
  } else {
    const base = new URL(mysqlUrl);
    const database = `codex_lb_bench_${randomBytes(4).toString('hex')}`;
    const admin = await createConnection({
      host: base.hostname,
      port: base.port === '' ? 3306 : Number(base.port),
      user: decodeURIComponent(base.username),
      password: decodeURIComponent(base.password),
    });
    await admin.query(`CREATE DATABASE ${database} CHARACTER SET utf8mb4`);
    try {
      const url = new URL(mysqlUrl);
      url.pathname = `/${database}`;
      const [version] = (await admin.query('SELECT VERSION() AS v')) as unknown as [{ v: string }[]];
      results.push(await measure(`MariaDB/MySQL ${version[0]?.v ?? ''}`.trim(), url.toString()));
    } finally {
      await admin.query(`DROP DATABASE IF EXISTS ${database}`);
      await admin.end();
    }
  }

  console.log(`\nusage recorder, sustained for ${seconds} s (goal ≥ ${GOAL.toLocaleString('en')} records/s)\n`);
  console.log('| store | records | seconds | records/s | goal |');
  console.log('|---|---:|---:|---:|---|');
  for (const r of results) {
    if (r.stored !== r.records) throw new Error(`${r.store}: ${r.records} recorded but ${r.stored} stored`);
    console.log(`| ${r.store} | ${r.records.toLocaleString('en')} | ${r.seconds.toFixed(1)} | ${r.perSecond.toLocaleString('en')} | ${r.perSecond >= GOAL ? 'met' : 'MISSED'} |`);
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
