import { RateLimitError } from 'openai';
import { afterEach, describe, expect, it } from 'vitest';
import { eventually } from '../limits/snapshot-fixture.js';
import { chat, LimitsHarness } from './limits-harness.js';

const KEY = 'sk-clb-limitsAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAa';
const models = 'models:\n  - { id: gpt-4o }\n  - { id: o3 }\n';
const withPolicies = (policies: string, keyPolicies: string) => `${models}auth: { enabled: true }\npolicies:\n${policies}\nkeys:\n  - { id: dev, key: "${KEY}", policies: [${keyPolicies}] }\n`;

async function rateLimited(promise: Promise<unknown>): Promise<RateLimitError> {
  const error = await promise.then(
    () => null,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(RateLimitError);
  return error as RateLimitError;
}

let h: LimitsHarness | null = null;
afterEach(async () => {
  await h?.close();
  h = null;
});

describe('rate limits through the gateway (openai SDK)', () => {
  it('every response carries the x-ratelimit-* headers of the tightest policy; a 429 adds Retry-After and names policy, window and reset', async () => {
    h = await LimitsHarness.start({ yaml: withPolicies('  - { id: burst, requests: { limit: 2, per: 2s }, tokens: { limit: 1000, per: 1m } }', 'burst') });
    const client = h.client(KEY);
    const { response } = await client.chat.completions.create(chat()).withResponse();
    expect(response.headers.get('x-ratelimit-limit-requests')).toBe('2');
    expect(response.headers.get('x-ratelimit-remaining-requests')).toBe('1');
    expect(response.headers.get('x-ratelimit-reset-requests')).toMatch(/^[12]s$/);
    expect(response.headers.get('x-ratelimit-limit-tokens')).toBe('1000');
    expect(response.headers.get('x-ratelimit-remaining-tokens')).toBe('1000');
    // Streams too (headers go out before the first event).
    const stream = await client.chat.completions.create({ ...chat(), stream: true }).withResponse();
    expect(stream.response.headers.get('x-ratelimit-remaining-requests')).toBe('0');
    expect(stream.response.headers.get('x-ratelimit-remaining-tokens')).toBe('981'); // 12 + 7 tokens of the first answer
    for await (const _ of stream.data) void _;

    const error = await rateLimited(client.chat.completions.create(chat()));
    expect(error.status).toBe(429);
    expect(error.code).toBe('rate_limit_exceeded');
    expect(error.message).toMatch(/Rate limit reached for key 'dev': policy 'burst' allows 2 requests per 2s\. Try again in (?:[12]s|\d{1,3}ms) \(the window resets at .*Z\)\./);
    expect(['1', '2']).toContain(error.headers?.get('retry-after'));
    expect(error.headers?.get('x-ratelimit-remaining-requests')).toBe('0');
    expect(h.postsTo('up')).toBe(2);
    // Clients that wait for Retry-After get through.
    await eventually(() => client.chat.completions.create(chat()).then(() => true, () => false));
  });

  it('the request id and x-ratelimit-* headers go out with every answer: served, relayed upstream error, gateway error after admission', async () => {
    h = await LimitsHarness.start({ yaml: withPolicies('  - { id: roomy, requests: { limit: 100, per: 1m }, tokens: { limit: 5000, per: 1m } }', 'roomy') });
    const post = (body: unknown, headers: Record<string, string> = {}) =>
      fetch(`${h!.baseUrl}/chat/completions`, { method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${KEY}`, ...headers }, body: JSON.stringify(body) });
    const expectHeaders = async (response: Response, status: number, remaining: string) => {
      expect(response.status).toBe(status);
      expect(response.headers.get('x-request-id')).toMatch(/^[0-9a-f-]{36}$/);
      expect(response.headers.get('x-ratelimit-limit-requests')).toBe('100');
      expect(response.headers.get('x-ratelimit-remaining-requests')).toBe(remaining);
      expect(response.headers.get('x-ratelimit-limit-tokens')).toBe('5000');
      await response.arrayBuffer();
    };
    await expectHeaders(await post(chat()), 200, '99');
    await expectHeaders(await post({ ...chat(), stream: true }), 200, '98');
    // A 400 from upstream is relayed as it came, with the gateway's headers added.
    h.upstream('up').failNext({ kind: 'status', status: 400, body: { error: { message: 'bad', type: 'invalid_request_error', code: 'bad_thing' } } });
    await expectHeaders(await post(chat()), 400, '97');
    // Every attempt fails: the gateway's own 502/503 answer keeps the headers of the admission.
    h.upstream('up').setFault({ kind: 'reset-before-headers' });
    const failed = await post(chat());
    expect(failed.status).toBeGreaterThanOrEqual(500);
    expect(failed.headers.get('x-ratelimit-remaining-requests')).toBe('96');
    expect(failed.headers.get('x-request-id')).toMatch(/^[0-9a-f-]{36}$/);
    h.upstream('up').setFault(null);
    // Refused before admission (broken JSON): the request id, no rate-limit headers.
    const broken = await fetch(`${h.baseUrl}/chat/completions`, { method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${KEY}` }, body: '{' });
    expect(broken.status).toBe(400);
    expect(broken.headers.get('x-request-id')).toMatch(/^[0-9a-f-]{36}$/);
    expect(broken.headers.get('x-ratelimit-limit-requests')).toBeNull();
    // A client's own request id is echoed on an error too.
    const echoed = await post({ model: 42 }, { 'x-request-id': 'client-id-7' });
    expect(echoed.status).toBe(400);
    expect(echoed.headers.get('x-request-id')).toBe('client-id-7');
  });

  it('token budgets are charged with the usage the upstream reports: the overshooting request passes, the next is refused', async () => {
    h = await LimitsHarness.start({ yaml: withPolicies('  - { id: tokens, tokens: { limit: 30, per: 1m } }', 'tokens') });
    const client = h.client(KEY);
    await client.chat.completions.create(chat()); // 19 tokens
    const stream = await client.chat.completions.create({ ...chat(), stream: true }); // 38: over, but admitted
    for await (const _ of stream) void _;
    const error = await eventually(() => client.chat.completions.create(chat()).then(() => null, (e: unknown) => e as RateLimitError));
    expect(error).toBeInstanceOf(RateLimitError);
    expect(error.message).toMatch(/policy 'tokens' allows 30 tokens per 1m \(38 tokens used\)/);
    expect(Number(error.headers?.get('retry-after'))).toBeGreaterThan(50);
  });

  it('cost budgets count micro-USD from the pricing of each request', async () => {
    h = await LimitsHarness.start({
      yaml: withPolicies('  - { id: spend, costUsd: { limit: 0.00005, per: 1d } }', 'spend'),
      costOf: (_model, usage) => (usage.inputTokens + usage.outputTokens) * 2, // 38 µUSD per answer
    });
    const client = h.client(KEY);
    await client.chat.completions.create(chat());
    await client.chat.completions.create(chat());
    const error = await eventually(() => client.chat.completions.create(chat()).then(() => null, (e: unknown) => e as RateLimitError));
    expect(error.message).toMatch(/policy 'spend' allows \$0\.000050 per 1d \(\$0\.000076 used\)/);
  });

  it('model-scoped policies only count their models', async () => {
    h = await LimitsHarness.start({ yaml: withPolicies('  - { id: o3-only, requests: { limit: 1, per: 1m }, models: [o3] }', 'o3-only') });
    const client = h.client(KEY);
    await client.chat.completions.create(chat('o3'));
    await rateLimited(client.chat.completions.create(chat('o3')));
    const { response } = await client.chat.completions.create(chat('gpt-4o')).withResponse();
    expect(response.headers.get('x-ratelimit-limit-requests')).toBeNull();
  });

  it('concurrency: a slot is held while a stream runs and released when the client disconnects', async () => {
    h = await LimitsHarness.start({ accounts: [{ id: 'up', chunkDelayMs: 150 }], yaml: withPolicies('  - { id: one, concurrency: 1 }', 'one') });
    const client = h.client(KEY);
    const controller = new AbortController();
    const stream = await client.chat.completions.create({ ...chat(), stream: true }, { signal: controller.signal });
    const iterator = stream[Symbol.asyncIterator]();
    await iterator.next(); // the stream is running
    const busy = await rateLimited(client.chat.completions.create(chat()));
    expect(busy.message).toContain("Too many concurrent requests for key 'dev': policy 'one' allows 1 in flight at once. Retry when one of them finishes.");
    expect(busy.headers?.get('retry-after')).toBe('1');
    controller.abort(); // the client goes away mid-stream
    await iterator.next().catch(() => undefined);
    await eventually(() => client.chat.completions.create(chat()).then(() => true, () => false));
    await eventually(() => h!.sink.records.some((r) => r.errorCode === 'client_disconnected'));
    // Released exactly once: two concurrent streams still get one slot between them.
    const both = await Promise.allSettled([client.chat.completions.create({ ...chat(), stream: true }), client.chat.completions.create({ ...chat(), stream: true })]);
    expect(both.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
    for (const r of both) if (r.status === 'fulfilled') for await (const _ of r.value) void _;
  });

  it('reload continuity: counts survive an unrelated edit, a changed limit keeps the counts of the window', async () => {
    const yaml = (limit: number, extra = '') => withPolicies(`  - { id: burst, requests: { limit: ${limit}, per: 1m } }`, 'burst') + extra;
    h = await LimitsHarness.start({ yaml: yaml(3) });
    const client = h.client(KEY);
    await client.chat.completions.create(chat());
    await client.chat.completions.create(chat());
    await h.rewrite(yaml(3, '# an unrelated edit\n').replace('  - { id: o3 }\n', '  - { id: o3 }\n  - { id: o4-mini }\n'));
    const { response } = await client.chat.completions.create(chat()).withResponse();
    expect(response.headers.get('x-ratelimit-remaining-requests')).toBe('0');
    await h.rewrite(yaml(5));
    const { response: after } = await client.chat.completions.create(chat()).withResponse();
    expect(after.headers.get('x-ratelimit-limit-requests')).toBe('5');
    expect(after.headers.get('x-ratelimit-remaining-requests')).toBe('1');
  });
});

describe('account policies (the router skips an account at its limit)', () => {
  it('serves from the other account while one is at its limit; 429 usage_limit_reached with the soonest reset when all are', async () => {
    h = await LimitsHarness.start({
      accounts: [
        { id: 'acct-a', fields: 'policies: [a-burst]' },
        { id: 'acct-b', fields: 'policies: [b-burst]' },
      ],
      yaml: `${models}policies:\n  - { id: a-burst, requests: { limit: 1, per: 1m } }\n  - { id: b-burst, requests: { limit: 2, per: 3s } }\n`,
    });
    const client = h.client('dummy');
    for (let i = 0; i < 3; i++) await client.chat.completions.create(chat());
    expect([h.postsTo('acct-a'), h.postsTo('acct-b')]).toEqual([1, 2]);
    const error = await rateLimited(client.chat.completions.create(chat()));
    expect(error.code).toBe('usage_limit_reached');
    // The soonest reset is b's 3s window, not a's minute.
    expect(Number(error.headers?.get('retry-after'))).toBeLessThanOrEqual(3);
    expect(h.sink.records.at(-1)?.attempts).toBe(0);
    // When b's window resets it takes requests again; a stays skipped.
    await eventually(() => client.chat.completions.create(chat()).then(() => true, () => false));
    expect([h.postsTo('acct-a'), h.postsTo('acct-b')]).toEqual([1, 3]);
  });
});
