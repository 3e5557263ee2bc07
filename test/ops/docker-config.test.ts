import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfigFile } from '../../src/config/load.js';
import { startGateway, type Gateway } from '../../src/main.js';
import { keyHash } from '../../src/shared/hashing.js';
import { createLogger } from '../../src/shared/logger.js';

const EXAMPLE = fileURLToPath(new URL('../../deploy/gateway.docker.yaml', import.meta.url));
const CLIENT_KEY = 'sk-clb-docker-example-client-key-000000';
const env = { CODEX_LB_ADMIN_TOKEN: 'docker-example-admin-token', CODEX_LB_KEY_HASH: keyHash(CLIENT_KEY) };

/**
 * The config the README tells Docker users to mount. It is started for real, with the image's
 * two mount points (/data, /config) moved into a temporary directory and an ephemeral port:
 * everything else (0.0.0.0, auth, admin token, SQLite and key file in the data volume, a seat
 * whose auth file is absent) is the file as shipped.
 */
describe('deploy/gateway.docker.yaml', () => {
  const root = mkdtempSync(join(tmpdir(), 'codex-lb-docker-'));
  const configPath = join(root, 'gateway.yaml');
  let gateway: Gateway;

  beforeAll(async () => {
    const text = readFileSync(EXAMPLE, 'utf8').replaceAll('/data/', `${root}/data/`).replaceAll('/config/', `${root}/config/`).replace('port: 2455', 'port: 0');
    writeFileSync(configPath, text);
    gateway = await startGateway({ configPath, env, watch: false, logger: createLogger({ level: 'silent' }) });
  });
  afterAll(async () => {
    await gateway?.close();
    rmSync(root, { recursive: true, force: true });
  });

  it('is valid as shipped, listens beyond loopback and needs keys', async () => {
    const loaded = await loadConfigFile(EXAMPLE, env);
    expect(loaded.issues.filter((i) => i.severity === 'error')).toEqual([]);
    expect(loaded.config?.server).toMatchObject({ host: '0.0.0.0', port: 2455 });
    expect(loaded.config?.auth.enabled).toBe(true);
    expect(loaded.config?.storage.url).toBe('sqlite:/data/codex-lb.sqlite');
  });

  it('starts: /health open, /v1 with the client key only, /metrics with the admin token only', async () => {
    const base = `http://127.0.0.1:${gateway.port}`;
    expect((await fetch(`${base}/health`)).status).toBe(200);
    expect((await fetch(`${base}/v1/models`, { headers: { authorization: 'Bearer dummy' } })).status).toBe(401);
    const models = await fetch(`${base}/v1/models`, { headers: { authorization: `Bearer ${CLIENT_KEY}` } });
    expect(((await models.json()) as { data: Array<{ id: string }> }).data.map((m) => m.id)).toEqual(['gpt-5.3-codex', 'gpt-4o']);
    expect((await fetch(`${base}/metrics`, { headers: { authorization: `Bearer ${CLIENT_KEY}` } })).status).toBe(401);
    expect((await fetch(`${base}/metrics`, { headers: { authorization: `Bearer ${env.CODEX_LB_ADMIN_TOKEN}` } })).status).toBe(200);
  });

  it('keeps the SQLite store and the token-sealing key in the data volume', () => {
    expect(statSync(join(root, 'data', 'codex-lb.sqlite')).isFile()).toBe(true);
    expect(statSync(join(root, 'data', 'codex-lb.key')).mode & 0o777).toBe(0o600);
  });
});
