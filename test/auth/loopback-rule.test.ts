import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import express from 'express';
import { AuthenticationError } from 'openai';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { authMiddleware } from '../../src/proxy/auth.js';
import { errorMiddleware } from '../../src/proxy/error-middleware.js';
import { contextOf, requestContext } from '../../src/proxy/request-context.js';
import { SnapshotHolder } from '../../src/runtime/snapshot-holder.js';
import { systemClock } from '../../src/shared/clock.js';
import { createLogger } from '../../src/shared/logger.js';
import { limitsConfig, snapshotOf } from '../limits/snapshot-fixture.js';
import { chat, LimitsHarness } from './limits-harness.js';
import { externalIPv4 } from '../helpers/external-address.js';

const TEAM = 'sk-clb-teamkeyAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAa';
const MESSAGE = /API keys are disabled on this gateway \(auth\.enabled: false\), so it only serves this machine, and your address 203\.0\.113\.9 is not local\. .*codex-lb keys new.*auth: \{ enabled: true \}/;

describe('auth.enabled: false — loopback clients only', () => {
  let h: LimitsHarness;
  beforeAll(async () => {
    // trustProxy: the gateway sits behind a local reverse proxy that says who the client is.
    h = await LimitsHarness.start({
      server: 'trustProxy: loopback',
      yaml: `models:\n  - { id: gpt-4o }\npolicies:\n  - { id: p, requests: { limit: 100, per: 1m } }\nkeys:\n  - { id: team, key: "${TEAM}", policies: [p] }\n`,
    });
  });
  afterAll(() => h.close());

  it('accepts any key from this machine ("dummy", as OpenClaw sends) as anonymous', async () => {
    const completion = await h.client('dummy').chat.completions.create(chat());
    expect(completion.choices).toHaveLength(1);
    expect(h.sink.records.at(-1)?.keyId).toBe('anonymous');
  });

  it('still attributes usage (and applies policies) when the presented key is a configured one', async () => {
    const { response } = await h.client(TEAM).chat.completions.create(chat()).withResponse();
    expect(h.sink.records.at(-1)?.keyId).toBe('team');
    expect(response.headers.get('x-ratelimit-limit-requests')).toBe('100');
  });

  it('refuses a remote client (reverse proxy X-Forwarded-For) with a 401 that says to enable keys', async () => {
    const error = await h
      .client('dummy', { 'x-forwarded-for': '203.0.113.9' })
      .chat.completions.create(chat())
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(AuthenticationError);
    expect((error as AuthenticationError).code).toBe('invalid_api_key');
    expect((error as AuthenticationError).message).toMatch(MESSAGE);
    // Even a configured key does not open the gateway to remote clients while auth is off.
    const withKey = await h.client(TEAM, { 'x-forwarded-for': '203.0.113.9' }).models.list().catch((e: unknown) => e);
    expect(withKey).toBeInstanceOf(AuthenticationError);
  });
});

describe('auth middleware with a real non-loopback peer', () => {
  // The gateway itself refuses to listen beyond loopback while auth is off, so this drives the
  // same middleware on a bare app bound to every interface and connects to the machine's own
  // external address: the peer address the server sees is then genuinely non-loopback.
  const external = externalIPv4();
  let server: Server;
  let port = 0;
  beforeAll(async () => {
    const holder = new SnapshotHolder(snapshotOf(limitsConfig('', { auth: false })));
    const app = express();
    app.use(requestContext(holder, systemClock));
    app.use(authMiddleware({ holder, clock: systemClock }));
    app.get('/whoami', (_req, res) => void res.json({ key: contextOf(res).keyId }));
    app.use(errorMiddleware(createLogger({ level: 'silent' })));
    server = createServer(app);
    await new Promise<void>((resolve) => server.listen(0, '0.0.0.0', resolve));
    port = (server.address() as AddressInfo).port;
  });
  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

  it('serves a loopback peer', async () => {
    const res = await fetch(`http://127.0.0.1:${port}/whoami`, { headers: { authorization: 'Bearer dummy' } });
    expect(await res.json()).toEqual({ key: 'anonymous' });
  });

  it('ignores X-Forwarded-For without trustProxy: a local peer stays local, a remote one cannot pose as local', async () => {
    const local = await fetch(`http://127.0.0.1:${port}/whoami`, { headers: { authorization: 'Bearer dummy', 'x-forwarded-for': '203.0.113.9' } });
    expect(local.status).toBe(200);
    expect(await local.json()).toEqual({ key: 'anonymous' });
    if (external === null) return;
    const spoofed = await fetch(`http://${external}:${port}/whoami`, { headers: { authorization: 'Bearer dummy', 'x-forwarded-for': '127.0.0.1' } });
    expect(spoofed.status).toBe(401);
  });

  it.skipIf(external === null)(`refuses a peer connecting from ${external ?? 'a non-loopback address (none on this machine: skipped)'}`, async () => {
    const res = await fetch(`http://${external}:${port}/whoami`, { headers: { authorization: 'Bearer dummy' } });
    expect(res.status).toBe(401);
    const body = (await res.json()) as { error: { code: string; message: string } };
    expect(body.error.code).toBe('invalid_api_key');
    expect(body.error.message).toContain(`your address ${external} is not local`);
  });
});
