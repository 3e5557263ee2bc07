import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import OpenAI from 'openai';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startGateway, type Gateway } from '../../src/main.js';
import { createLogger } from '../../src/shared/logger.js';
import { openUsageStore, type UsageStore } from '../../src/store/open-store.js';
import { FakeOpenAiUpstream } from '../fakes/openai-upstream.js';
import { captureLogs } from '../helpers/log-capture.js';
import { TempConfig } from '../helpers/temp-config.js';
import { waitFor } from '../helpers/wait.js';
import { mariadbTarget, sqliteTarget, type StoreTarget } from './store-targets.js';
import { TcpSwitch } from './tcp-switch.js';

/**
 * The store failing under a running gateway: requests keep being served and no usage record is
 * lost or counted twice — a MariaDB outage under load, a database that is down when the gateway
 * starts, a restart that replays the spool, and SIGTERM flushing what is still in memory.
 */
const mysqlUrl = process.env.CODEX_LB_TEST_MYSQL_URL;
if (!mysqlUrl) console.log('[test/store] CODEX_LB_TEST_MYSQL_URL is not set: the MariaDB outage tests are skipped');
const BIN = fileURLToPath(new URL('../../bin/codex-lb.js', import.meta.url));
const silent = createLogger({ level: 'silent' });

const configText = (storageUrl: string, upstream: string, spoolDir: string, interval = '20ms') => `server: { host: 127.0.0.1, port: 0, shutdownGrace: 5s }
storage: { url: "${storageUrl}", spoolDir: "${spoolDir}", batch: { interval: ${interval} } }
accounts:
  - { id: up, kind: openai, baseUrl: "${upstream}", apiKey: upstream-secret }
models:
  - { id: m }
`;

const send = (gateway: Gateway | string, count: number, concurrency = 8): Promise<string[]> => {
  const base = typeof gateway === 'string' ? gateway : gateway.url;
  const client = new OpenAI({ baseURL: `${base}/v1`, apiKey: 'dummy', maxRetries: 0 });
  const ids: string[] = [];
  let next = 0;
  const worker = async () => {
    while (next < count) {
      next += 1;
      const completion = await client.chat.completions.create({ model: 'm', messages: [{ role: 'user', content: 'hi' }] }).withResponse();
      ids.push(completion.response.headers.get('x-request-id') ?? '');
    }
  };
  return Promise.all(Array.from({ length: concurrency }, worker)).then(() => ids);
};

/** Request ids in the request log, each once: rows = distinct ids. */
async function loggedIds(reader: UsageStore): Promise<string[]> {
  const ids: string[] = [];
  let cursor: string | undefined;
  for (;;) {
    const page = await reader.query.requestLog({ limit: 500, cursor });
    ids.push(...page.items.map((item) => item.requestId));
    if (page.nextCursor === null) return ids;
    cursor = page.nextCursor;
  }
}

async function expectExactly(reader: UsageStore, expected: readonly string[]): Promise<void> {
  const ids = await waitFor(async () => {
    const found = await loggedIds(reader);
    return found.length >= expected.length ? found : null;
  }, { timeoutMs: 30_000, what: `${expected.length} request-log rows` });
  expect(ids).toHaveLength(expected.length);
  expect(new Set(ids)).toEqual(new Set(expected));
  const totals = await reader.query.totals({ from: 0, to: Date.now() + 60_000 });
  expect(totals.requests).toBe(expected.length);
}

let upstream: FakeOpenAiUpstream;
const dirs: string[] = [];
const tempDir = () => {
  const dir = mkdtempSync(join(tmpdir(), 'codex-lb-outage-'));
  dirs.push(dir);
  return dir;
};
beforeAll(async () => {
  upstream = await FakeOpenAiUpstream.start({ name: 'up' });
});
afterAll(async () => {
  await upstream?.close();
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

describe.skipIf(!mysqlUrl)('MariaDB outages under a running gateway', () => {
  let target: StoreTarget;
  let tcp: TcpSwitch;
  let reader: UsageStore;
  beforeAll(async () => {
    target = await mariadbTarget(mysqlUrl ?? '')();
    const real = new URL(target.url);
    tcp = new TcpSwitch(real.hostname, Number(real.port || 3306));
    reader = await openUsageStore(target.url, silent);
  });
  afterAll(async () => {
    await reader?.close();
    await tcp?.dispose();
    await target?.dispose();
  });
  const viaSwitch = () => {
    const url = new URL(target.url);
    url.hostname = '127.0.0.1';
    url.port = String(tcp.port);
    return url.toString();
  };

  it('starts while the database is down (not ready), serves, and records everything once it is back', async () => {
    await tcp.on();
    await tcp.off();
    const config = new TempConfig(configText(viaSwitch(), upstream.url, tempDir()));
    const logs = captureLogs();
    const gateway = await startGateway({ configPath: config.path, watch: false, logger: logs.logger, env: {} });
    try {
      expect((await fetch(`${gateway.url}/ready`)).status).toBe(503);
      const ids = await send(gateway, 20);
      expect(ids).toHaveLength(20);
      expect(logs.text()).toContain('usage store unreachable at startup');
      await tcp.on();
      await waitFor(async () => (await fetch(`${gateway.url}/ready`)).status === 200, { timeoutMs: 30_000, what: '/ready once the store is back' });
      await expectExactly(reader, ids);
    } finally {
      await gateway.close();
      config.remove();
    }
  });

  it('loses no record and fails no request while the database is unreachable for seconds under load', async () => {
    await tcp.on();
    const before = await loggedIds(reader);
    const config = new TempConfig(configText(viaSwitch(), upstream.url, tempDir()));
    const gateway = await startGateway({ configPath: config.path, watch: false, logger: silent, env: {} });
    try {
      const load = send(gateway, 600, 8);
      await new Promise((resolve) => setTimeout(resolve, 300));
      await tcp.off();
      await new Promise((resolve) => setTimeout(resolve, 3_000));
      await tcp.on();
      const ids = await load;
      expect(ids.filter((id) => id !== '')).toHaveLength(600);
      await expectExactly(reader, [...before, ...ids]);
    } finally {
      await gateway.close();
      config.remove();
    }
  });
});

describe('spool and shutdown', () => {
  let target: StoreTarget;
  let reader: UsageStore;
  beforeAll(async () => {
    target = await sqliteTarget();
    reader = await openUsageStore(target.url, silent);
  });
  afterAll(async () => {
    await reader?.close();
    await target?.dispose();
  });

  it('replays the spool of a run whose store never came up, once, at the next start', async () => {
    const spool = tempDir();
    const before = await loggedIds(reader);
    const down = new TempConfig(configText(target.unreachableUrl, upstream.url, spool));
    const first = await startGateway({ configPath: down.path, watch: false, logger: silent, env: {} });
    const ids = await send(first, 25);
    await first.close();
    down.remove();

    for (let run = 0; run < 2; run += 1) {
      const up = new TempConfig(configText(target.url, upstream.url, spool));
      const next = await startGateway({ configPath: up.path, watch: false, logger: silent, env: {} });
      try {
        await expectExactly(reader, [...before, ...ids]);
      } finally {
        await next.close();
        up.remove();
      }
    }
  });

  it('flushes the records still in memory when the process gets SIGTERM', async () => {
    const dir = tempDir();
    const before = await loggedIds(reader);
    // A long batch interval: at SIGTERM every record is still waiting in memory.
    const config = new TempConfig(configText(target.url, upstream.url, join(dir, 'spool'), '1h'));
    const child = spawn(process.execPath, [BIN, 'start', '--config', config.path, '--no-watch'], { cwd: dir, env: { PATH: process.env.PATH, HOME: dir }, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => (out += chunk));
    const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
    try {
      const url = await waitFor(() => /listening on (http:\/\/[^"\s]+)/.exec(out)?.[1], { what: 'listening line' });
      const ids = await send(url, 30);
      expect(await loggedIds(reader)).toHaveLength(before.length);
      child.kill('SIGTERM');
      expect(await exited).toBe(0);
      await expectExactly(reader, [...before, ...ids]);
    } finally {
      if (child.exitCode === null) child.kill('SIGKILL');
      config.remove();
    }
  });
});
