import { APIError } from 'openai';
import { afterEach, describe, expect, it } from 'vitest';
import { waitFor } from '../helpers/wait.js';
import { GatewayHarness } from './gateway-harness.js';

let h: GatewayHarness | undefined;
afterEach(async () => {
  await h?.close();
  h = undefined;
});

const messages = [{ role: 'user' as const, content: 'hi' }];

async function chatFrom(harness: GatewayHarness): Promise<string> {
  const completion = await harness.client.chat.completions.create({ model: 'gpt-test', messages });
  return (completion.choices[0].message.content ?? '').replace('Hello from ', '');
}

async function streamText(harness: GatewayHarness): Promise<string> {
  const stream = await harness.client.chat.completions.create({ model: 'gpt-test', messages, stream: true });
  let text = '';
  for await (const chunk of stream) text += chunk.choices[0]?.delta.content ?? '';
  return text;
}

async function apiError(promise: Promise<unknown>): Promise<APIError> {
  const error = await promise.then(
    () => null,
    (e: unknown) => e,
  );
  if (!(error instanceof APIError)) throw new Error(`expected an APIError, got ${String(error)}`);
  return error;
}

describe('failover before the first byte', () => {
  it.each([
    ['429 + Retry-After', { kind: 'status', status: 429, headers: { 'retry-after': '20' } }],
    ['500', { kind: 'status', status: 500 }],
    ['502', { kind: 'status', status: 502 }],
    ['503', { kind: 'status', status: 503 }],
    ['504', { kind: 'status', status: 504 }],
    ['reset before headers', { kind: 'reset-before-headers' }],
  ] as const)('moves to the next account on %s (non-stream and stream)', async (_name, fault) => {
    h = await GatewayHarness.start({ accounts: [{ id: 'a' }, { id: 'b' }] });
    h.upstream('a').setFault(fault);
    expect(await chatFrom(h)).toBe('b');
    expect(await streamText(h)).toBe('Hello from b');
    await waitFor(() => h?.sink.records.length === 2, { what: 'records' });
    const record = h.sink.records.find((r) => !r.stream);
    expect(record).toMatchObject({ accountId: 'b', attempts: 2, status: 200, errorCode: null });
    expect(h.postCount('a')).toBeGreaterThanOrEqual(1);
  });

  it('moves on when an upstream is too slow to start answering (routing.timeouts.connect)', async () => {
    h = await GatewayHarness.start({ accounts: [{ id: 'a' }, { id: 'b' }], routing: 'strategy: round_robin, timeouts: { connect: 300ms }' });
    h.upstream('a').failNext({ kind: 'slow-first-byte', delayMs: 5_000 });
    expect(await streamText(h)).toBe('Hello from b');
    // The abandoned upstream request was cut, not left running.
    await waitFor(() => h?.upstream('a').requests[0]?.closedEarly, { what: 'slow upstream cut' });
  });

  it('moves on when the stream head arrives but the first event does not come', async () => {
    h = await GatewayHarness.start({ accounts: [{ id: 'a' }, { id: 'b' }], routing: 'strategy: round_robin, timeouts: { connect: 300ms }' });
    h.upstream('a').failNext({ kind: 'stall', afterChunks: 0 });
    expect(await streamText(h)).toBe('Hello from b');
  });

  it('a non-streamed answer cut mid-body still fails over (it is read whole first)', async () => {
    h = await GatewayHarness.start({ accounts: [{ id: 'a' }, { id: 'b' }] });
    h.upstream('a').failNext({ kind: 'reset-mid-stream' });
    expect(await chatFrom(h)).toBe('b');
  });

  it('stops after routing.failover.attempts accounts', async () => {
    h = await GatewayHarness.start({ accounts: [{ id: 'a' }, { id: 'b' }, { id: 'c' }], routing: 'strategy: round_robin, failover: { attempts: 2 }' });
    for (const id of ['a', 'b', 'c']) h.upstream(id).setFault({ kind: 'status', status: 500 });
    const error = await apiError(chatFrom(h));
    expect(error.status).toBe(500);
    expect(h.postCount('a') + h.postCount('b') + h.postCount('c')).toBe(2);
  });

  it('passes other 4xx through unchanged, without failover', async () => {
    h = await GatewayHarness.start({ accounts: [{ id: 'a' }, { id: 'b' }] });
    const body = { error: { message: 'bad tool schema', type: 'invalid_request_error', code: 'invalid_value', param: 'tools[0]' } };
    h.upstream('a').failNext({ kind: 'status', status: 400, body });
    const error = await apiError(chatFrom(h));
    expect(error.status).toBe(400);
    expect(error.error).toEqual(body.error);
    expect(h.postCount('b')).toBe(0);
    await waitFor(() => h?.sink.records.length === 1, { what: 'record' });
    expect(h.sink.records[0]).toMatchObject({ status: 400, errorCode: 'invalid_value', accountId: 'a', attempts: 1 });
  });
});

describe('cooldown', () => {
  it('keeps a 429ed account out until its Retry-After has passed', async () => {
    h = await GatewayHarness.start({ accounts: [{ id: 'a' }, { id: 'b' }] });
    h.upstream('a').failNext({ kind: 'status', status: 429, headers: { 'retry-after': '1' } });
    const startedAt = Date.now();
    expect(await chatFrom(h)).toBe('b');
    // While a rests, round robin keeps landing on b.
    expect([await chatFrom(h), await chatFrom(h)]).toEqual(['b', 'b']);
    const postsToA = h.postCount('a');
    if (Date.now() - startedAt < 900) expect(postsToA).toBe(1);
    // After the second, a serves again.
    await waitFor(async () => (await chatFrom(h as GatewayHarness)) === 'a', { timeoutMs: 15_000, intervalMs: 100, what: 'a back' });
    expect(Date.now() - startedAt).toBeGreaterThanOrEqual(950);
  });

  it('answers 429 usage_limit_reached with Retry-After when every account is rate-limited', async () => {
    h = await GatewayHarness.start({ accounts: [{ id: 'a' }, { id: 'b' }] });
    h.upstream('a').setFault({ kind: 'status', status: 429, headers: { 'retry-after': '40' } });
    h.upstream('b').setFault({ kind: 'status', status: 429, headers: { 'x-ratelimit-reset-requests': '1m30s', 'x-ratelimit-remaining-requests': '0' } });
    const first = await apiError(chatFrom(h));
    expect(first.status).toBe(429);
    expect(first.code).toBe('usage_limit_reached');
    const retryAfter = Number(first.headers?.get('retry-after'));
    expect(retryAfter).toBeGreaterThan(30);
    expect(retryAfter).toBeLessThanOrEqual(40);
    // Without touching the upstreams again.
    const second = await apiError(chatFrom(h));
    expect(second.code).toBe('usage_limit_reached');
    expect(h.postCount('a') + h.postCount('b')).toBe(2);
  });

  it('answers 503 no_accounts naming each account and why', async () => {
    h = await GatewayHarness.start({ accounts: [{ id: 'a' }, { id: 'b' }] });
    h.upstream('a').setFault({ kind: 'reset-before-headers' });
    h.upstream('b').setFault({ kind: 'status', status: 429, headers: { 'retry-after': '60' } });
    await apiError(chatFrom(h));
    const error = await apiError(chatFrom(h));
    expect(error.status).toBe(503);
    expect(error.code).toBe('no_accounts');
    expect(error.message).toMatch(/a: cooling down/);
    expect(error.message).toMatch(/b: rate limited/);
  });

  it('account cooldowns survive a config reload', async () => {
    h = await GatewayHarness.start({ accounts: [{ id: 'a' }, { id: 'b' }] });
    h.upstream('a').setFault({ kind: 'status', status: 429, headers: { 'retry-after': '60' } });
    expect(await chatFrom(h)).toBe('b');
    const text = (await import('node:fs')).readFileSync(h.config.path, 'utf8');
    h.config.write(text.replace('strategy: round_robin', 'strategy: priority'));
    const result = await h.gateway.reloader.reload('admin');
    expect(result.status).toBe('applied');
    h.upstream('a').setFault(null);
    expect([await chatFrom(h), await chatFrom(h)]).toEqual(['b', 'b']);
  });
});

describe('model fallback', () => {
  it("tries the fallback model's accounts when none of the model's own can serve", async () => {
    h = await GatewayHarness.start({
      accounts: [{ id: 'a' }, { id: 'z' }],
      models: `  - { id: gpt-test, accounts: [a], fallback: gpt-backup }
  - { id: gpt-backup, accounts: [z], upstreamModel: backup-upstream }`,
    });
    h.upstream('a').setFault({ kind: 'status', status: 503 });
    expect(await chatFrom(h)).toBe('z');
    expect(h.upstream('z').requests[0].body?.model).toBe('backup-upstream');
    await waitFor(() => h?.sink.records.length === 1, { what: 'record' });
    expect(h.sink.records[0]).toMatchObject({ model: 'gpt-backup', upstreamModel: 'backup-upstream', accountId: 'z', attempts: 2 });
  });
});
