import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import OpenAI from 'openai';
import { afterEach, describe, expect, it } from 'vitest';
import { captureLogs } from '../helpers/log-capture.js';
import { ChatgptHarness } from './chatgpt-harness.js';

/**
 * ChatGPT seats through a running gateway, against the fake Codex backend and OAuth server:
 * token refresh after an upstream 401 and its persistence, permanent refresh failures, quota
 * headers steering capacity_weighted, a seat or the whole pool out of quota, and continuity.
 */
const harnesses: ChatgptHarness[] = [];
afterEach(async () => {
  for (const harness of harnesses.splice(0)) await harness.close();
});
const start = async (...args: Parameters<typeof ChatgptHarness.start>) => {
  const harness = await ChatgptHarness.start(...args);
  harnesses.push(harness);
  return harness;
};

async function gql<T>(harness: ChatgptHarness, query: string): Promise<T> {
  const res = await fetch(`${harness.url}/graphql`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ query }) });
  const body = (await res.json()) as { data?: T; errors?: unknown[] };
  if (body.errors || !body.data) throw new Error(JSON.stringify(body.errors));
  return body.data;
}

const ask = (harness: ChatgptHarness, extra: Record<string, unknown> = {}) =>
  harness.client.responses.create({ model: 'gpt-5.3-codex', input: 'hi', ...extra } as Parameters<OpenAI['responses']['create']>[0] & { stream?: false });

describe('OAuth tokens through the gateway', () => {
  it('refreshes after an upstream 401 and retries once; a restart prefers the sealed refreshed tokens', async () => {
    const harness = await start({ seats: [{ id: 'seat' }] });
    const seeded = harness.seeded.get('seat')!;
    // The backend revokes the token although its exp says it is valid: only a 401 tells.
    harness.oauth.revoke(seeded.accessToken);
    const answer = await ask(harness);
    expect(answer.output_text).toContain('from acct-seat');
    expect(harness.oauth.totalRefreshes()).toBe(1);
    const statuses = harness.backend.requests.map((r) => r.status);
    expect(statuses).toEqual([401, 200]);
    const fresh = harness.oauth.accessTokensOf('acct-seat').at(-1)!;
    expect(harness.backend.requests[1]!.headers.authorization).toBe(`Bearer ${fresh}`);

    // At rest the refreshed tokens are sealed: the SQLite file never holds them in clear.
    const stored = readFileSync(join(harness.dir, 'gateway.sqlite')).toString('latin1') + readFileSync(join(harness.dir, 'gateway.sqlite-wal')).toString('latin1');
    expect(stored).not.toContain(fresh);

    // The auth.json still holds the revoked token; the restarted gateway uses the stored one.
    const restarted = await harness.restart();
    harnesses.splice(harnesses.indexOf(harness), 1, restarted);
    await ask(restarted);
    expect(restarted.backend.requests.at(-1)).toMatchObject({ status: 200 });
    expect(restarted.backend.requests.at(-1)!.headers.authorization).toBe(`Bearer ${fresh}`);
    expect(restarted.oauth.totalRefreshes()).toBe(1);
  });

  it('marks a seat reauth_required on invalid_grant, says so to the client and the admin API, and leaks no token', async () => {
    const logs = captureLogs();
    const harness = await start({ seats: [{ id: 'seat', accessTtlSeconds: -60 }], logger: logs.logger });
    harness.oauth.failWith = { status: 400, error: 'invalid_grant', description: 'Your refresh token has already been used to generate a new access token.' };
    const error = await ask(harness).then(
      () => null,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(OpenAI.APIError);
    expect((error as InstanceType<typeof OpenAI.APIError>).status).toBe(503);
    expect((error as InstanceType<typeof OpenAI.APIError>).message).toMatch(/no_accounts|No account can serve 'gpt-5.3-codex'.*seat.*needs a new sign-in/);
    expect(harness.backend.requests).toHaveLength(0);

    const data = await gql<{ accounts: Array<{ id: string; status: string; unavailableReason: string | null }> }>(harness, '{ accounts { id status unavailableReason } }');
    expect(data.accounts).toEqual([{ id: 'seat', status: 'UNAVAILABLE', unavailableReason: expect.stringMatching(/invalid_grant|already been used/) }]);
    const seeded = harness.seeded.get('seat')!;
    for (const secret of [seeded.accessToken, seeded.refreshToken, seeded.idToken]) {
      expect(logs.text()).not.toContain(secret);
      expect(JSON.stringify(data)).not.toContain(secret);
    }
  });
});

describe('quota-aware routing', () => {
  it('capacity_weighted drains a seat near its limit once its quota headers are known', async () => {
    const harness = await start({ seats: [{ id: 'low' }, { id: 'roomy' }] });
    harness.backend.quota('acct-low').primaryUsed = 97;
    harness.backend.quota('acct-roomy').primaryUsed = 20;
    // Unknown quota counts as full: the first requests reach both seats and teach the gateway.
    for (let i = 0; i < 2; i += 1) await ask(harness);
    expect(new Set(harness.backend.servedBy())).toEqual(new Set(['acct-low', 'acct-roomy']));
    const before = harness.backend.servedBy().length;
    for (let i = 0; i < 10; i += 1) await ask(harness);
    expect(harness.backend.servedBy().slice(before)).toEqual(Array(10).fill('acct-roomy'));

    const data = await gql<{ accounts: Array<{ id: string; quota: Array<{ name: string; usedPercent: number }> }> }>(harness, '{ accounts { id quota { name usedPercent } } }');
    expect(data.accounts.find((a) => a.id === 'low')?.quota).toContainEqual({ name: 'primary', usedPercent: 97 });
  });

  it('a seat answering usage_limit_reached cools down until resets_at while the other serves; the pool aggregate goes to the client', async () => {
    const harness = await start({ seats: [{ id: 'a' }, { id: 'b' }], routing: 'strategy: round_robin' });
    const resetsAt = Math.floor(Date.now() / 1000) + 600;
    harness.backend.quota('acct-a').exhaustedUntil = resetsAt;
    for (let i = 0; i < 4; i += 1) {
      const res = await fetch(`${harness.url}/v1/responses`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ model: 'gpt-5.3-codex', input: 'hi' }) });
      expect(res.status).toBe(200);
      expect(res.headers.get('x-codex-primary-used-percent')).not.toBeNull();
      await res.json();
    }
    expect(harness.backend.requests.filter((r) => r.accountId === 'acct-a').map((r) => r.status)).toEqual([429]);
    expect(harness.backend.servedBy()).toEqual(Array(4).fill('acct-b'));
    const data = await gql<{ accounts: Array<{ id: string; status: string; cooldown: { until: string } | null }> }>(harness, '{ accounts { id status cooldown { until } } }');
    const a = data.accounts.find((x) => x.id === 'a')!;
    expect(a.status).toBe('COOLING_DOWN');
    expect(Math.abs(Date.parse(a.cooldown!.until) / 1000 - resetsAt)).toBeLessThanOrEqual(1);
  });

  it('a whole pool out answers 429 usage_limit_reached with resets_at and Retry-After', async () => {
    const harness = await start({ seats: [{ id: 'a' }, { id: 'b' }] });
    const now = Math.floor(Date.now() / 1000);
    harness.backend.quota('acct-a').exhaustedUntil = now + 900;
    harness.backend.quota('acct-b').exhaustedUntil = now + 300;
    const res = await fetch(`${harness.url}/v1/chat/completions`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ model: 'gpt-5.3-codex', messages: [{ role: 'user', content: 'hi' }] }) });
    expect(res.status).toBe(429);
    const retryAfter = Number(res.headers.get('retry-after'));
    expect(retryAfter).toBeGreaterThan(250);
    expect(retryAfter).toBeLessThanOrEqual(301);
    const body = (await res.json()) as { error: { code: string; type: string; message: string; resets_at?: number } };
    expect(body.error.code).toBe('usage_limit_reached');
    expect(Math.abs((body.error.resets_at ?? 0) - (now + 300))).toBeLessThanOrEqual(2);
    // And the SDK's error classes parse it.
    await expect(harness.client.chat.completions.create({ model: 'gpt-5.3-codex', messages: [{ role: 'user', content: 'hi' }] })).rejects.toBeInstanceOf(OpenAI.RateLimitError);
  });
});

describe('continuity', () => {
  it('sends previous_response_id and encrypted reasoning back to the seat that issued them, and names why when it cannot', async () => {
    const harness = await start({ seats: [{ id: 'a' }, { id: 'b' }], routing: 'strategy: round_robin' });
    const first = await ask(harness, { include: ['reasoning.encrypted_content'] });
    const owner = harness.backend.servedBy().at(-1)!;
    const reasoning = first.output.find((item) => item.type === 'reasoning');
    expect(reasoning).toBeDefined();
    for (let i = 0; i < 3; i += 1) await ask(harness, { previous_response_id: first.id });
    await ask(harness, { input: [reasoning, { role: 'user', content: 'and then?' }] });
    expect(harness.backend.servedBy().slice(1)).toEqual(Array(4).fill(owner));
    // Other requests still rotate.
    await ask(harness);
    await ask(harness);
    expect(new Set(harness.backend.servedBy().slice(-2)).size).toBe(2);

    const ownerSeat = owner.replace(/^acct-/, '');
    await gql(harness, `mutation { pauseAccount(id: "${ownerSeat}", reason: "maintenance") { id } }`);
    const error = await ask(harness, { previous_response_id: first.id }).then(
      () => null,
      (e: unknown) => e as InstanceType<typeof OpenAI.APIError>,
    );
    expect(error?.status).toBe(503);
    expect(error?.message).toContain(`account '${ownerSeat}'`);
    expect(error?.message).toMatch(/paused/);
    // Never the other seat: the refused request reached no account.
    expect(harness.backend.servedBy()).toHaveLength(7);
  });
});
