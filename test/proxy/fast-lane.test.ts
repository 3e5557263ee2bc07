import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { GatewayHarness, replyText } from './gateway-harness.js';
import { JSON_HEADERS } from './sse-reader.js';

let h: GatewayHarness;
beforeAll(async () => {
  h = await GatewayHarness.start({ accounts: [{ id: 'a' }] });
});
afterAll(async () => h?.close());

const body = JSON.stringify({ model: 'gpt-test', messages: [{ role: 'user', content: 'hi' }] });

describe('the proxied POSTs, served ahead of the routers', () => {
  it('serves the exact URLs and, through the routers, the spellings Express accepts', async () => {
    const completion = await h.client.chat.completions.create({ model: 'gpt-test', messages: [{ role: 'user', content: 'hi' }] });
    expect(replyText(completion)).not.toBeNull();
    for (const path of ['/chat/completions?trace=1', '/chat/completions/', '/CHAT/completions']) {
      const response = await fetch(`${h.baseUrl}${path}`, { method: 'POST', headers: JSON_HEADERS, body });
      expect(response.status, path).toBe(200);
      expect(response.headers.get('x-request-id'), path).toMatch(/^[0-9a-f-]{36}$/);
    }
    expect(h.postCount('a')).toBe(4);
  });

  it('answers errors in the envelope and leaves the other methods and routes to the routers', async () => {
    const bad = await fetch(`${h.baseUrl}/chat/completions`, { method: 'POST', headers: JSON_HEADERS, body: '{' });
    expect(bad.status).toBe(400);
    expect(((await bad.json()) as { error: { code: string } }).error.code).toBe('invalid_json');
    const get = await fetch(`${h.baseUrl}/chat/completions`);
    expect(get.status).toBe(404);
    expect(((await get.json()) as { error: { code: string } }).error.code).toBe('unknown_url');
    const models = await fetch(`${h.baseUrl}/models`);
    expect(models.status).toBe(200);
  });

  it('gives gateway-made request ids in time order (UUIDv7) and echoes a client id', async () => {
    const ids: string[] = [];
    for (let i = 0; i < 5; i++) {
      const response = await fetch(`${h.baseUrl}/chat/completions`, { method: 'POST', headers: JSON_HEADERS, body });
      await response.arrayBuffer();
      ids.push(response.headers.get('x-request-id') ?? '');
      await new Promise((resolve) => setTimeout(resolve, 2));
    }
    for (const id of ids) expect(id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect([...ids].sort()).toEqual(ids);
    const echoed = await fetch(`${h.baseUrl}/chat/completions`, { method: 'POST', headers: { ...JSON_HEADERS, 'x-request-id': 'client-id-1' }, body });
    expect(echoed.headers.get('x-request-id')).toBe('client-id-1');
  });
});
