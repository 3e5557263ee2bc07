import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { limitsFileFor, SqliteLimiterBackend } from '../../src/limits/sqlite-backend.js';
import { captureLogs } from '../helpers/log-capture.js';
import { describeLimiterBackend } from './backend-conformance.js';

const dir = mkdtempSync(join(tmpdir(), 'codex-lb-limits-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describeLimiterBackend('sqlite (better-sqlite3)', () => SqliteLimiterBackend.open({ storagePath: join(dir, 'codex-lb.sqlite'), logger: captureLogs().logger }));

describe('sqlite limiter backend', () => {
  it('keeps its counters next to the usage database, in their own file', () => {
    expect(limitsFileFor('/data/codex-lb.sqlite')).toBe('/data/codex-lb.limits.sqlite');
    expect(limitsFileFor('/data/usage')).toBe('/data/usage.limits.sqlite');
    expect(limitsFileFor(':memory:')).toBe(':memory:');
  });

  it('keeps counts across a restart (a new connection to the same file)', async () => {
    const path = join(dir, 'restart.sqlite');
    const first = await SqliteLimiterBackend.open({ storagePath: path, logger: captureLogs().logger });
    await first.counter('p:requests', 60).add('key:a', 3);
    await first.close();
    const second = await SqliteLimiterBackend.open({ storagePath: path, logger: captureLogs().logger });
    expect((await second.counter('p:requests', 60).peek('key:a')).used).toBe(3);
    await second.close();
  });
});
