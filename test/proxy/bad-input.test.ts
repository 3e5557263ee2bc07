import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { waitFor } from '../helpers/wait.js';
import { GatewayHarness } from './gateway-harness.js';
import { JSON_HEADERS } from './sse-reader.js';

let h: GatewayHarness;
beforeAll(async () => {
  h = await GatewayHarness.start({ accounts: [{ id: 'a' }], server: 'bodyLimit: 64kb' });
});
afterAll(async () => h?.close());

async function send(path: string, body: string | Buffer, headers: Record<string, string> = JSON_HEADERS) {
  const response = await fetch(`${h.baseUrl}${path}`, { method: 'POST', headers, body });
  return { status: response.status, json: (await response.json()) as { error: Record<string, unknown> } };
}

describe('bad input gets an OpenAI error envelope', () => {
  it.each([
    ['invalid JSON', '{"model": "gpt-test",', 'invalid_json', null],
    ['a JSON array', '[1,2]', 'invalid_json', null],
    ['an empty body', '', 'invalid_json', null],
    ['no model', '{"messages": []}', 'missing_required_parameter', 'model'],
    ['a non-string model', '{"model": 42, "messages": []}', 'invalid_type', 'model'],
  ])('400 for %s', async (_name, body, code, param) => {
    const { status, json } = await send('/chat/completions', body);
    expect(status).toBe(400);
    expect(json.error).toMatchObject({ type: 'invalid_request_error', code, param });
    expect(typeof json.error.message).toBe('string');
  });

  it('400 for a wrong content type', async () => {
    const { status, json } = await send('/responses', 'model=gpt-test', { 'content-type': 'application/x-www-form-urlencoded' });
    expect(status).toBe(400);
    expect(json.error).toMatchObject({ type: 'invalid_request_error', code: 'unsupported_content_type', param: null });
  });

  it('404 model_not_found for an unknown model, through the SDK too', async () => {
    const { status, json } = await send('/embeddings', JSON.stringify({ model: 'nope', input: 'x' }));
    expect(status).toBe(404);
    expect(json.error).toMatchObject({ code: 'model_not_found', param: 'model' });
    const error = await h.client.chat.completions.create({ model: 'nope', messages: [] }).catch((e: unknown) => e);
    expect(error).toMatchObject({ status: 404, code: 'model_not_found' });
  });

  it('413 for a body over server.bodyLimit, declared or streamed', async () => {
    const big = JSON.stringify({ model: 'gpt-test', messages: [{ role: 'user', content: 'x'.repeat(70 * 1024) }] });
    const { status, json } = await send('/chat/completions', big);
    expect(status).toBe(413);
    expect(json.error).toMatchObject({ type: 'invalid_request_error', code: 'request_too_large' });
    // Chunked upload with no Content-Length: the limit still holds.
    const chunked = await fetch(`${h.baseUrl}/chat/completions`, {
      method: 'POST',
      headers: JSON_HEADERS,
      body: new Blob([big]).stream(),
      duplex: 'half',
    } as RequestInit & { duplex: 'half' });
    expect(chunked.status).toBe(413);
  });

  it('nothing reached upstream, the gateway still serves, and each refusal left a usage record', async () => {
    expect(h.postCount('a')).toBe(0);
    const completion = await h.client.chat.completions.create({ model: 'gpt-test', messages: [{ role: 'user', content: 'ok?' }] });
    expect(completion.choices[0].message.content).toBe('Hello from a');
    await waitFor(() => h.sink.records.some((r) => r.status === 200), { what: 'success record' });
    const refused = h.sink.records.filter((r) => r.status >= 400);
    expect(refused.length).toBeGreaterThanOrEqual(9);
    expect(refused.every((r) => r.attempts === 0 && r.accountId === null && r.errorCode !== null)).toBe(true);
    expect(refused.find((r) => r.status === 404)?.model).toBe('nope');
  });

  it('unknown /v1 routes answer 404 in the envelope', async () => {
    const response = await fetch(`${h.baseUrl}/nothing-here`, { method: 'POST', headers: JSON_HEADERS, body: '{}' });
    expect(response.status).toBe(404);
    expect(((await response.json()) as { error: { code: string } }).error.code).toBe('unknown_url');
  });
});
