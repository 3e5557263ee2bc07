import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import OpenAI from 'openai';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startGateway } from '../../src/main.js';
import type { ReloadResult } from '../../src/runtime/events.js';
import { createLogger } from '../../src/shared/logger.js';
import { openUsageStore } from '../../src/store/open-store.js';
import { FakeOpenAiUpstream } from '../fakes/openai-upstream.js';
import { runPool } from '../helpers/load.js';
import { TempConfig } from '../helpers/temp-config.js';
import { expectExactly } from '../helpers/usage-log.js';
import { CALL_SHAPES, callGateway, tally } from './gateway-calls.js';

/**
 * The config reloaded every 100 ms while streamed and non-streamed requests run: two valid
 * files alternate (routing strategy, an extra model, a policy, account weights), both keeping
 * the model in use. No request fails, and every one of them is in the usage store once.
 */
const REQUESTS = 400;
const silent = createLogger({ level: 'silent' });

let upstreams: FakeOpenAiUpstream[] = [];
let dir = '';
beforeAll(async () => {
  // Slow enough chunks that streams span several reloads.
  upstreams = [await FakeOpenAiUpstream.start({ name: 'a', chunkDelayMs: 15 }), await FakeOpenAiUpstream.start({ name: 'b', chunkDelayMs: 15 })];
  dir = mkdtempSync(join(tmpdir(), 'codex-lb-reloads-'));
});
afterAll(async () => {
  await Promise.all(upstreams.map((u) => u.close()));
  rmSync(dir, { recursive: true, force: true });
});

const configText = (variant: 0 | 1, storageUrl: string) => `server: { host: 127.0.0.1, port: 0 }
storage: { url: "${storageUrl}", batch: { interval: 20ms } }
routing: { strategy: ${variant === 0 ? 'round_robin' : 'least_inflight'} }
accounts:
  - { id: a, kind: openai, baseUrl: "${upstreams[0].url}", apiKey: key-a, weight: ${variant === 0 ? 1 : 3} }
  - { id: b, kind: openai, baseUrl: "${upstreams[1].url}", apiKey: key-b }
models:
  - { id: m }
  - { id: ${variant === 0 ? 'extra-zero' : 'extra-one'} }
policies:
  - { id: p, requests: { limit: ${variant === 0 ? 100000 : 200000}, per: 1m } }
`;

describe('config reloads every 100 ms under load', () => {
  it('fails no request and records every one', async () => {
    const storageUrl = `sqlite:${join(dir, 'usage.sqlite')}`;
    const config = new TempConfig(configText(0, storageUrl));
    const gateway = await startGateway({ configPath: config.path, watch: false, logger: silent, env: {} });
    const reader = await openUsageStore(storageUrl, silent);
    try {
      const client = new OpenAI({ baseURL: `${gateway.url}/v1`, apiKey: 'dummy', maxRetries: 0, timeout: 20_000 });
      let loading = true;
      const load = runPool(REQUESTS, 10, (i) => callGateway(client, 'm', CALL_SHAPES[i % CALL_SHAPES.length])).finally(() => (loading = false));
      const reloads: ReloadResult[] = [];
      for (let variant: 0 | 1 = 1; loading; variant = variant === 0 ? 1 : 0) {
        config.writeByRename(configText(variant, storageUrl));
        reloads.push(await gateway.reloader.reload('admin'));
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
      const outcomes = await load;

      const { ok, ...failed } = tally(outcomes);
      expect(failed).toEqual({ http_error: [], stream_error: [], broken: [] });
      expect(ok).toHaveLength(REQUESTS);
      expect(reloads.filter((r) => r.status !== 'applied')).toEqual([]);
      // Enough reloads to have landed in the middle of many requests.
      expect(reloads.length).toBeGreaterThanOrEqual(10);
      expect(gateway.holder.current().version).toBe(reloads.length + 1);
      await expectExactly(reader, ok.map((o) => o.requestId ?? ''));
    } finally {
      await gateway.close();
      await reader.close();
      config.remove();
    }
  });
});
