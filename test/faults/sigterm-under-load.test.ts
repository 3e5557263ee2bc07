import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import OpenAI from 'openai';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLogger } from '../../src/shared/logger.js';
import { openUsageStore } from '../../src/store/open-store.js';
import { FakeOpenAiUpstream } from '../fakes/openai-upstream.js';
import { startCli } from '../helpers/cli-process.js';
import { runPool } from '../helpers/load.js';
import { RawConnection } from '../helpers/raw-http.js';
import { TempConfig } from '../helpers/temp-config.js';
import { expectExactly } from '../helpers/usage-log.js';
import { waitFor } from '../helpers/wait.js';
import { callGateway, tally, type CallShape } from './gateway-calls.js';

/**
 * SIGTERM to the built CLI while slow streams are running: they finish, whole, within the grace
 * period; requests arriving after the signal get 503 (on a connection already open) or a
 * refused connection; the process exits 0 and every finished request's usage record is in the store.
 */
const STREAMS = 12;
const GRACE_MS = 10_000;
const silent = createLogger({ level: 'silent' });

let upstream: FakeOpenAiUpstream;
let dir = '';
beforeAll(async () => {
  // ~7 chunks 250 ms apart: each stream runs for about 1.5 s.
  upstream = await FakeOpenAiUpstream.start({ name: 'up', chunkDelayMs: 250 });
  dir = mkdtempSync(join(tmpdir(), 'codex-lb-sigterm-'));
});
afterAll(async () => {
  await upstream?.close();
  rmSync(dir, { recursive: true, force: true });
});

/** A request after SIGTERM: the status it got, or the connection error's code. */
async function lateRequest(url: string): Promise<string> {
  try {
    const response = await fetch(`${url}/v1/chat/completions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ model: 'm', messages: [{ role: 'user', content: 'late' }] }),
    });
    const body = (await response.json()) as { error?: { code?: string } };
    return `${response.status} ${body.error?.code ?? ''}`.trim();
  } catch (error) {
    const cause = (error as { cause?: { code?: string } }).cause;
    return cause?.code ?? String(error);
  }
}

describe('SIGTERM under load', () => {
  it('lets in-flight streams finish, refuses new requests, exits 0 with every record stored', async () => {
    const storageUrl = `sqlite:${join(dir, 'usage.sqlite')}`;
    const config = new TempConfig(`server: { host: 127.0.0.1, port: 0, shutdownGrace: ${GRACE_MS / 1000}s }
storage: { url: "${storageUrl}", batch: { interval: 200ms } }
accounts:
  - { id: up, kind: openai, baseUrl: "${upstream.url}", apiKey: upstream-secret }
models:
  - { id: m }
`);
    const cli = startCli(['--config', config.path, '--no-watch'], dir);
    try {
      const url = await cli.url();
      const client = new OpenAI({ baseURL: `${url}/v1`, apiKey: 'dummy', maxRetries: 0, timeout: 30_000 });
      const shapes: CallShape[] = ['chat-stream', 'responses-stream'];
      const streams = runPool(STREAMS, STREAMS, (i) => callGateway(client, 'm', shapes[i % 2]));
      // Every stream has reached the upstream and is being relayed.
      await waitFor(() => upstream.requests.filter((r) => r.method === 'POST').length === STREAMS, { what: 'streams in flight' });
      // A connection in the middle of sending its request when the signal comes: not idle, so
      // it stays open, and its request is refused once complete.
      const midRequest = new RawConnection(Number(new URL(url).port));
      await midRequest.write('POST /v1/chat/completions HTTP/1.1\r\nHost: 127.0.0.1\r\n');
      const signalledAt = Date.now();
      cli.child.kill('SIGTERM');
      await waitFor(() => cli.stdout().includes('shutting down'), { what: 'shutdown started' });
      const body = JSON.stringify({ model: 'm', messages: [{ role: 'user', content: 'late' }] });
      await midRequest.write(`Content-Type: application/json\r\nContent-Length: ${body.length}\r\nConnection: close\r\n\r\n${body}`);
      const refused = await midRequest.response();
      expect(refused.status).toBe(503);
      expect(refused.headers['retry-after']).toBe('1');
      expect(JSON.parse(refused.body.toString('utf8'))).toEqual({
        error: { message: 'The gateway is shutting down; retry shortly.', type: 'service_unavailable', code: 'shutting_down', param: null },
      });

      const late = await runPool(6, 3, () => lateRequest(url));
      for (const answer of late) expect(['503 shutting_down', 'ECONNREFUSED', 'ECONNRESET']).toContain(answer);

      const outcomes = await streams;
      const { ok, ...failed } = tally(outcomes);
      expect(failed).toEqual({ http_error: [], stream_error: [], broken: [] });
      expect(ok).toHaveLength(STREAMS);
      expect(await cli.exited).toBe(0);
      expect(Date.now() - signalledAt).toBeLessThan(GRACE_MS);
      // No late request reached the upstream.
      expect(upstream.requests.filter((r) => r.method === 'POST')).toHaveLength(STREAMS);
      expect(cli.stdout()).toContain('codex-lb stopped');

      const reader = await openUsageStore(storageUrl, silent);
      try {
        await expectExactly(reader, ok.map((o) => o.requestId ?? ''));
      } finally {
        await reader.close();
      }
    } finally {
      if (cli.child.exitCode === null) cli.child.kill('SIGKILL');
      config.remove();
    }
  });
});
