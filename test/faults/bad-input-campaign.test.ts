import { fork, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import OpenAI from 'openai';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FakeOpenAiUpstream } from '../fakes/openai-upstream.js';
import { runPool } from '../helpers/load.js';
import { RawConnection, requestHead, type RawResponse } from '../helpers/raw-http.js';
import { callGateway } from './gateway-calls.js';
import type { ChildMessage } from './gateway-child.js';
import { MALFORMED_CASES, type MalformedCase, type Probe, type Target } from './malformed-requests.js';

/**
 * A campaign of well over 1,000 malformed requests against a gateway in its own process, with
 * slow-loris connections trickling alongside: every answer is a 4xx (or a connection Node's
 * parser closes), every JSON answer is the OpenAI error envelope with the expected code, nothing
 * reaches the upstream, nothing is logged as an error, the process stays up and serves, and its
 * heap returns to where it was (measured after a forced GC in the child).
 */
const CAMPAIGN = 1_200;
const KEY = 'sk-clb-campaignAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAa';
const HEADERS_TIMEOUT_MS = 2_000;
const REQUEST_TIMEOUT_MS = 4_000;
/** Generous: the heap must come back, not to the byte. */
const HEAP_MARGIN = 16 * 1024 * 1024;
const RSS_MARGIN = 96 * 1024 * 1024;
const CHILD = fileURLToPath(new URL('./gateway-child.ts', import.meta.url));

let upstream: FakeOpenAiUpstream;
let dir = '';
let child: ChildProcess;
let stderr = '';
let target: Target;

function nextMessage<T extends ChildMessage['type']>(type: T): Promise<Extract<ChildMessage, { type: T }>> {
  return new Promise((resolve, reject) => {
    const onMessage = (message: ChildMessage) => {
      if (message.type === 'failed') reject(new Error(`gateway child failed: ${message.message}`));
      if (message.type !== type) return;
      child.off('message', onMessage);
      resolve(message as Extract<ChildMessage, { type: T }>);
    };
    child.on('message', onMessage);
    child.once('exit', (code) => reject(new Error(`gateway child exited (${code}): ${stderr}`)));
  });
}

async function memory(): Promise<{ heapUsed: number; rss: number }> {
  const reply = nextMessage('memory');
  child.send('memory');
  return reply;
}

beforeAll(async () => {
  upstream = await FakeOpenAiUpstream.start({ name: 'up' });
  dir = mkdtempSync(join(tmpdir(), 'codex-lb-campaign-'));
  const configPath = join(dir, 'gateway.yaml');
  writeFileSync(
    configPath,
    `server: { host: 127.0.0.1, port: 0, bodyLimit: 64kb, timeouts: { headers: ${HEADERS_TIMEOUT_MS}ms, request: ${REQUEST_TIMEOUT_MS}ms } }
storage: { url: "sqlite:${join(dir, 'usage.sqlite')}" }
auth: { enabled: true }
accounts:
  - { id: up, kind: openai, baseUrl: "${upstream.url}", apiKey: upstream-key }
models:
  - { id: m }
  - { id: r, upstreamModel: r-upstream }
keys:
  - { id: campaign, key: "${KEY}" }
`,
  );
  child = fork(CHILD, [configPath], { execArgv: ['--expose-gc', '--import', 'tsx'], stdio: ['ignore', 'ignore', 'pipe', 'ipc'] });
  child.stderr?.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
  const { url } = await nextMessage('listening');
  target = { port: Number(new URL(url).port), key: KEY, client: new OpenAI({ baseURL: `${url}/v1`, apiKey: KEY, maxRetries: 0, timeout: 20_000 }) };
}, 60_000);

afterAll(async () => {
  if (child?.exitCode === null) {
    const exited = new Promise((resolve) => child.once('exit', resolve));
    child.send('close');
    await exited;
  }
  await upstream?.close();
  rmSync(dir, { recursive: true, force: true });
});

/** What is wrong with a probe's answer for its case; null when it is right. */
function fault(c: MalformedCase, probe: Probe): string | null {
  if (!c.expect.includes(probe.status)) return `status ${probe.status} (${probe.ended}), expected ${c.expect.join(' or ')}`;
  if (probe.status !== null && (probe.status < 400 || probe.status > 499)) return `status ${probe.status}`;
  if (c.code !== undefined && probe.json === undefined) return 'no JSON error body';
  if (probe.json === undefined) return null;
  const body = probe.json as { error?: Record<string, unknown> };
  const keys = body.error === undefined ? [] : Object.keys(body.error).sort();
  if (Object.keys(body).join() !== 'error' || !['code', 'message', 'param', 'type'].every((k) => keys.includes(k))) return `not the OpenAI envelope: ${JSON.stringify(probe.json).slice(0, 200)}`;
  if (typeof body.error?.message !== 'string' || typeof body.error.type !== 'string') return `envelope with wrong types: ${JSON.stringify(body)}`;
  if (c.code !== undefined && body.error.code !== c.code) return `code ${String(body.error.code)}, expected ${c.code}`;
  return null;
}

async function runCase(c: MalformedCase): Promise<string | null> {
  const problem = fault(c, await c.send(target));
  return problem === null ? null : `${c.name}: ${problem}`;
}

/** A client sending its request one byte every 200 ms: headers, or the body after complete headers. */
async function slowLoris(part: 'headers' | 'body'): Promise<RawResponse> {
  const connection = new RawConnection(target.port);
  await connection.connected();
  const body = JSON.stringify({ model: 'm', messages: [{ role: 'user', content: 'x'.repeat(200) }] });
  const head = requestHead('POST', '/v1/chat/completions', { Authorization: `Bearer ${KEY}`, 'Content-Type': 'application/json', 'Content-Length': String(body.length) });
  if (part === 'body') await connection.write(head);
  void connection.trickle(part === 'headers' ? head : body, 1, 200, () => connection.closed);
  return connection.response(30_000);
}

describe('bad-input campaign', () => {
  it(`answers ${CAMPAIGN} malformed requests with 4xx only, stays up and returns to its memory baseline`, async () => {
    // Warm-up: every case twice and some normal traffic, so lazily built state is in the baseline.
    const warmUp = await runPool(MALFORMED_CASES.length * 2, 8, (i) => runCase(MALFORMED_CASES[i % MALFORMED_CASES.length]));
    expect(warmUp.filter((p) => p !== null)).toEqual([]);
    await runPool(40, 8, (i) => callGateway(target.client, 'm', i % 2 === 0 ? 'chat' : 'chat-stream'));
    const upstreamPosts = upstream.requests.length;
    const baseline = await memory();

    const lorises = [slowLoris('headers'), slowLoris('headers'), slowLoris('body'), slowLoris('body')];
    const problems = await runPool(CAMPAIGN, 16, (i) => runCase(MALFORMED_CASES[i % MALFORMED_CASES.length]));
    expect(problems.filter((p) => p !== null)).toEqual([]);
    expect(upstream.requests.length).toBe(upstreamPosts);

    // Slow clients are cut off by the server (408 or a plain close), not served forever.
    for (const [i, result] of (await Promise.all(lorises)).entries()) {
      const limit = i < 2 ? HEADERS_TIMEOUT_MS : REQUEST_TIMEOUT_MS;
      expect(result.ended, `slow-loris ${i}`).not.toBe('timeout');
      expect([408, null]).toContain(result.status);
      expect(result.elapsedMs).toBeGreaterThanOrEqual(limit - 500);
      expect(result.elapsedMs).toBeLessThan(limit + 10_000);
    }

    // Still up and serving, streams included.
    expect(child.exitCode).toBeNull();
    expect(await callGateway(target.client, 'm', 'chat')).toMatchObject({ kind: 'ok', text: 'Hello from up' });
    expect(await callGateway(target.client, 'm', 'responses-stream')).toMatchObject({ kind: 'ok', text: 'Hello from up' });

    const after = await memory();
    const mb = (bytes: number) => `${(bytes / 1048576).toFixed(1)} MB`;
    console.log(`[bad-input campaign] after GC, before → after ${CAMPAIGN} malformed requests: heap ${mb(baseline.heapUsed)} → ${mb(after.heapUsed)}, RSS ${mb(baseline.rss)} → ${mb(after.rss)}`);
    expect(after.heapUsed).toBeLessThan(baseline.heapUsed + HEAP_MARGIN);
    // RSS need not shrink back (the allocator keeps freed pages), but must not run away.
    expect(after.rss).toBeLessThan(baseline.rss + RSS_MARGIN);
    // Refusals are not errors: nothing was logged at error level.
    expect(stderr).toBe('');
  });
});
