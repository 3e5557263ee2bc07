import { afterEach, describe, expect, it } from 'vitest';
import { GatewayHarness } from './gateway-harness.js';

let h: GatewayHarness | undefined;
afterEach(async () => {
  await h?.close();
  h = undefined;
});

async function chat(harness: GatewayHarness, extra: Record<string, unknown> = {}, headers: Record<string, string> = {}): Promise<string> {
  const completion = await harness.client.chat.completions.create({ model: 'gpt-test', messages: [{ role: 'user', content: 'hi' }], ...extra }, { headers });
  return (completion.choices[0].message.content ?? '').replace('Hello from ', '');
}

async function serveMany(harness: GatewayHarness, n: number, extra?: Record<string, unknown>, headers?: Record<string, string>): Promise<string[]> {
  const out: string[] = [];
  for (let i = 0; i < n; i++) out.push(await chat(harness, extra, headers));
  return out;
}

const count = (ids: string[]) => ids.reduce<Record<string, number>>((acc, id) => ({ ...acc, [id]: (acc[id] ?? 0) + 1 }), {});

describe('which account serves', () => {
  it('round robin cycles through the accounts in file order', async () => {
    h = await GatewayHarness.start({ accounts: [{ id: 'a' }, { id: 'b' }, { id: 'c' }] });
    expect(await serveMany(h, 6)).toEqual(['a', 'b', 'c', 'a', 'b', 'c']);
  });

  it('weighted follows the weights', async () => {
    h = await GatewayHarness.start({ accounts: [{ id: 'a', fields: 'weight: 3' }, { id: 'b' }], routing: 'strategy: weighted' });
    expect(count(await serveMany(h, 8))).toEqual({ a: 6, b: 2 });
  });

  it('priority fills the first account (lowest priority value) before the next', async () => {
    h = await GatewayHarness.start({ accounts: [{ id: 'a', fields: 'priority: 2' }, { id: 'b', fields: 'priority: 1' }], routing: 'strategy: priority' });
    expect(await serveMany(h, 3)).toEqual(['b', 'b', 'b']);
    h.upstream('b').setFault({ kind: 'status', status: 429, headers: { 'retry-after': '30' } });
    expect(await serveMany(h, 2)).toEqual(['a', 'a']);
  });

  it('least in-flight spreads sequential traffic', async () => {
    h = await GatewayHarness.start({ accounts: [{ id: 'a' }, { id: 'b' }], routing: 'strategy: least_inflight' });
    expect(count(await serveMany(h, 4))).toEqual({ a: 2, b: 2 });
  });

  it('least in-flight avoids an account busy with a long stream', async () => {
    h = await GatewayHarness.start({ accounts: [{ id: 'a', chunkDelayMs: 300 }, { id: 'b', chunkDelayMs: 300 }], routing: 'strategy: least_inflight' });
    const stream = await h.client.chat.completions.create({ model: 'gpt-test', messages: [{ role: 'user', content: 'hi' }], stream: true });
    const iterator = stream[Symbol.asyncIterator]();
    await iterator.next();
    const busy = h.postCount('a') === 1 ? 'a' : 'b';
    expect(await serveMany(h, 3)).toEqual([busy === 'a' ? 'b' : 'a', busy === 'a' ? 'b' : 'a', busy === 'a' ? 'b' : 'a']);
    stream.controller.abort();
  });

  it('sticks a prompt_cache_key (body) and session headers to one account', async () => {
    h = await GatewayHarness.start({ accounts: [{ id: 'a' }, { id: 'b' }, { id: 'c' }] });
    const first = await serveMany(h, 4, { prompt_cache_key: 'thread-1' });
    expect(new Set(first).size).toBe(1);
    for (const header of ['session-id', 'thread-id', 'x-session-affinity', 'x-session-id']) {
      const served = await serveMany(h, 3, {}, { [header]: `s-${header}` });
      expect(new Set(served).size, header).toBe(1);
    }
    // Without a session, traffic still rotates.
    expect(new Set(await serveMany(h, 3)).size).toBe(3);
  });

  it('moves a sticky session when its account cannot serve, and keeps it on the new one', async () => {
    h = await GatewayHarness.start({ accounts: [{ id: 'a' }, { id: 'b' }] });
    const [home] = await serveMany(h, 1, { prompt_cache_key: 't' });
    const other = home === 'a' ? 'b' : 'a';
    h.upstream(home).setFault({ kind: 'status', status: 429, headers: { 'retry-after': '60' } });
    expect(await serveMany(h, 3, { prompt_cache_key: 't' })).toEqual([other, other, other]);
    h.upstream(home).setFault(null);
    expect(await serveMany(h, 2, { prompt_cache_key: 't' })).toEqual([other, other]);
  });
});
