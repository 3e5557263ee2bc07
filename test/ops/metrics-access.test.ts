import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MetricsHarness } from './metrics-harness.js';
import { externalIPv4 } from '../helpers/external-address.js';

const CLIENT_KEY = 'sk-clb-metrics-access-000000000000';
const ADMIN_TOKEN = 'admin-token-for-metrics-0000000000';
const keys = `auth: { enabled: true }
models:
  - { id: gpt-test }
keys:
  - { id: team, key: "${CLIENT_KEY}" }
`;

interface Refusal {
  status: number;
  challenge: string | null;
  body: { error: { type: string; code: string | null; message: string } };
}

async function refused(url: string, headers: Record<string, string> = {}): Promise<Refusal> {
  const res = await fetch(url, { headers });
  const body = (await res.json()) as Refusal['body'];
  return { status: res.status, challenge: res.headers.get('www-authenticate'), body };
}

async function statusOf(url: string, headers: Record<string, string> = {}): Promise<number> {
  const res = await fetch(url, { headers });
  await res.arrayBuffer();
  return res.status;
}

describe('/metrics without admin.tokens: this machine only', () => {
  let h: MetricsHarness;
  beforeAll(async () => {
    h = await MetricsHarness.start({ accounts: [{ id: 'a' }], yaml: keys });
  });
  afterAll(() => h.close());

  it('serves a loopback peer', async () => {
    expect(await statusOf(`${h.localUrl}/metrics`)).toBe(200);
  });

  it('refuses a client a local reverse proxy relays (X-Forwarded-For), in the OpenAI envelope', async () => {
    const answer = await refused(`${h.localUrl}/metrics`, { 'x-forwarded-for': '203.0.113.9' });
    expect(answer.status).toBe(401);
    expect(answer.challenge).toBe('Bearer realm="codex-lb metrics"');
    expect(answer.body.error).toMatchObject({ type: 'authentication_error', code: 'unauthorized' });
    expect(answer.body.error.message).toContain('limited to this machine');
  });
});

describe('/metrics with admin.tokens: the bearer token, from anywhere', () => {
  let h: MetricsHarness;
  beforeAll(async () => {
    h = await MetricsHarness.start({ accounts: [{ id: 'a' }], yaml: `admin: { tokens: ["${ADMIN_TOKEN}"] }\n${keys}` });
  });
  afterAll(() => h.close());

  it('refuses a loopback peer without the token, with a wrong one, or with a client API key', async () => {
    expect((await refused(`${h.localUrl}/metrics`)).body.error.message).toContain('admin token required');
    expect((await refused(`${h.localUrl}/metrics`, { authorization: 'Bearer not-the-token' })).body.error.message).toContain('invalid admin token');
    expect((await refused(`${h.localUrl}/metrics`, { authorization: `Bearer ${CLIENT_KEY}` })).status).toBe(401);
  });

  it('serves the admin token (also through a reverse proxy), and stops when it is revoked by a reload', async () => {
    const bearer = { authorization: `Bearer ${ADMIN_TOKEN}` };
    expect((await h.scrape(bearer)).samples.length).toBeGreaterThan(0);
    expect(await statusOf(`${h.localUrl}/metrics`, { ...bearer, 'x-forwarded-for': '203.0.113.9' })).toBe(200);
    expect((await h.rewrite(`admin: { tokens: ["another-admin-token-000000000000"] }\n${keys}`)).status).toBe('applied');
    expect(await statusOf(`${h.localUrl}/metrics`, bearer)).toBe(401);
  });
});

describe('/metrics on 0.0.0.0 (auth on) with a real non-loopback peer', () => {
  const external = externalIPv4();
  let h: MetricsHarness;
  beforeAll(async () => {
    h = await MetricsHarness.start({ accounts: [{ id: 'a' }], host: '0.0.0.0', yaml: keys });
  });
  afterAll(() => h.close());

  it('still serves loopback', async () => {
    expect(await statusOf(`http://127.0.0.1:${h.gateway.port}/metrics`)).toBe(200);
  });

  it.skipIf(external === null)(`refuses a peer connecting from ${external ?? 'a non-loopback address (none on this machine: skipped)'} until admin.tokens are set`, async () => {
    const url = `http://${external}:${h.gateway.port}/metrics`;
    const answer = await refused(url);
    expect(answer.status).toBe(401);
    expect(answer.body.error.message).toContain('limited to this machine');
    // The client key opens /v1, not /metrics.
    expect(await statusOf(url, { authorization: `Bearer ${CLIENT_KEY}` })).toBe(401);
    expect(await statusOf(`http://${external}:${h.gateway.port}/v1/models`, { authorization: `Bearer ${CLIENT_KEY}` })).toBe(200);
    expect((await h.rewrite(`admin: { tokens: ["${ADMIN_TOKEN}"] }\n${keys}`)).status).toBe('applied');
    expect(await statusOf(url, { authorization: `Bearer ${ADMIN_TOKEN}` })).toBe(200);
  });
});
