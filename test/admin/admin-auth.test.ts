import { createClient } from 'graphql-ws';
import { afterEach, describe, expect, it } from 'vitest';
import { isLocalPeer } from '../../src/admin/admin-auth.js';
import { keyHash } from '../../src/shared/hashing.js';
import { configWithModels } from '../helpers/temp-config.js';
import { WebSocket } from 'ws';
import { AdminHarness, Feed, connectOutcome } from './admin-harness.js';
import { externalIPv4 } from '../helpers/external-address.js';

const PLAIN = 'plain-admin-token-0123456789';
const HASHED = 'hashed-admin-token-9876543210';
const withTokens = (tokens: string[]) => configWithModels(['alpha'], `admin: { tokens: [${tokens.map((t) => JSON.stringify(t)).join(', ')}] }\n`);
const QUERY = '{ configStatus { version } }';

describe('admin auth', () => {
  let harness: AdminHarness;
  afterEach(async () => {
    await harness.close();
  });

  describe('with admin.tokens (plain via ${ENV} and sha256:)', () => {
    const start = async () => {
      harness = await AdminHarness.start(withTokens(['${ADMIN_TOKEN}', keyHash(HASHED)]), { env: { ADMIN_TOKEN: PLAIN } });
    };

    it('answers 401 UNAUTHENTICATED over HTTP without a token or with a wrong one', async () => {
      await start();
      for (const token of [undefined, 'wrong-token', keyHash(HASHED)]) {
        const res = await harness.gql(QUERY, {}, { token });
        expect(res.status).toBe(401);
        expect(res.errors?.[0]?.extensions?.code).toBe('UNAUTHENTICATED');
        expect(res.errors?.[0]?.message).not.toContain('Context creation failed');
        expect(res.headers.get('www-authenticate')).toContain('Bearer');
        expect(res.data ?? null).toBeNull();
      }
    });

    it('accepts the plain token and the one configured as a hash, with or without "Bearer"', async () => {
      await start();
      expect((await harness.gql(QUERY, {}, { token: PLAIN })).status).toBe(200);
      expect((await harness.gql(QUERY, {}, { token: HASHED })).status).toBe(200);
      const bare = await harness.gql(QUERY, {}, { headers: { authorization: PLAIN } });
      expect(bare.status).toBe(200);
      expect(bare.data).toEqual({ configStatus: { version: 1 } });
    });

    it('closes the socket with 4401 without valid connectionParams.authorization', async () => {
      await start();
      expect(await connectOutcome(harness, {})).toBe(4401);
      expect(await connectOutcome(harness, { authorization: 'Bearer wrong' })).toBe(4401);
      expect(await connectOutcome(harness, { authorization: `Bearer ${PLAIN}` })).toBe('open');
      // GraphiQL forwards its Headers tab as connectionParams: the header's usual spelling works.
      expect(await connectOutcome(harness, { Authorization: `Bearer ${HASHED}` })).toBe('open');
    });

    it('runs subscriptions for an authenticated socket and stops a token removed by a reload', async () => {
      await start();
      const client = harness.socket({ authorization: `Bearer ${PLAIN}` });
      const feed = new Feed(client, 'subscription { configEvents { status version } }');
      await feed.ready();
      harness.config.write(withTokens([keyHash(HASHED)]));
      const result = await harness.data<{ reloadConfig: { status: string } }>('mutation { reloadConfig { status } }', {}, PLAIN);
      expect(result.reloadConfig.status).toBe('APPLIED');
      expect((await feed.nextData()).configEvents).toEqual({ status: 'APPLIED', version: 2 });
      // The socket stays open, but a new subscribe on it is checked against the new tokens.
      const closed = new Promise<number>((resolve) => {
        client.on('closed', (event) => resolve((event as { code: number }).code));
      });
      void new Feed(client, 'subscription { configEvents { status } }');
      expect(await closed).toBe(4401);
      expect((await harness.gql(QUERY, {}, { token: PLAIN })).status).toBe(401);
    });
  });

  describe('without admin.tokens', () => {
    it('serves loopback peers, and refuses one relayed by a local proxy for a remote client', async () => {
      harness = await AdminHarness.start(configWithModels(['alpha']));
      expect((await harness.gql(QUERY)).status).toBe(200);
      expect(await connectOutcome(harness, {})).toBe('open');
      const relayed = await harness.gql(QUERY, {}, { headers: { 'x-forwarded-for': '203.0.113.7' } });
      expect(relayed.status).toBe(401);
      expect(relayed.errors?.[0]?.message).toContain('limited to this machine');
    });

    it('refuses peers on other addresses over HTTP (401) and over the socket (4401)', async (context) => {
      const external = externalIPv4();
      if (external === null) return context.skip('no non-loopback IPv4 interface on this machine');
      // Listening beyond loopback requires client auth (startup refuses otherwise).
      harness = await AdminHarness.start(
        `server: { host: 0.0.0.0, port: 0 }\nauth: { enabled: true }\nstorage: { url: "sqlite::memory:" }\n` +
          'accounts:\n  - { id: up, kind: openai, baseUrl: "http://127.0.0.1:9/v1", apiKey: test-key }\nmodels:\n  - { id: alpha, accounts: [up] }\n' +
          'keys:\n  - { id: k1, key: "client-key-0123456789abcdef" }\n',
      );
      const remote = `http://${external}:${harness.gateway.port}/graphql`;
      const res = await fetch(remote, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ query: QUERY }) });
      expect(res.status).toBe(401);
      expect(((await res.json()) as { errors: Array<{ extensions: { code: string } }> }).errors[0]?.extensions.code).toBe('UNAUTHENTICATED');
      const code = await new Promise<number | 'open'>((resolve) => {
        const client = createClient({
          url: remote.replace(/^http/, 'ws'),
          webSocketImpl: WebSocket,
          lazy: false,
          retryAttempts: 0,
          onNonLazyError: () => {},
          on: { connected: () => resolve('open'), closed: (event) => resolve((event as { code: number }).code) },
        });
        harness.sockets.push(client);
      });
      expect(code).toBe(4401);
      // The same listener still serves this machine.
      const local = await fetch(`http://127.0.0.1:${harness.gateway.port}/graphql`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ query: QUERY }) });
      expect(local.status).toBe(200);
    });
  });
});

describe('isLocalPeer', () => {
  it('needs a loopback socket and no forwarded non-loopback client', () => {
    expect(isLocalPeer({ remoteAddress: '127.0.0.1', headers: {} })).toBe(true);
    expect(isLocalPeer({ remoteAddress: '::1', headers: {} })).toBe(true);
    expect(isLocalPeer({ remoteAddress: '::ffff:127.0.0.1', headers: {} })).toBe(true);
    expect(isLocalPeer({ remoteAddress: '10.0.0.2', headers: {} })).toBe(false);
    expect(isLocalPeer({ remoteAddress: undefined, headers: {} })).toBe(false);
    expect(isLocalPeer({ remoteAddress: '127.0.0.1', headers: { 'x-forwarded-for': '127.0.0.1, 198.51.100.4' } })).toBe(false);
    expect(isLocalPeer({ remoteAddress: '127.0.0.1', headers: { 'x-real-ip': '198.51.100.4' } })).toBe(false);
    expect(isLocalPeer({ remoteAddress: '127.0.0.1', headers: { forwarded: 'for="[2001:db8::1]:443";proto=https' } })).toBe(false);
    expect(isLocalPeer({ remoteAddress: '127.0.0.1', headers: { forwarded: 'for=127.0.0.1' } })).toBe(true);
  });
});
