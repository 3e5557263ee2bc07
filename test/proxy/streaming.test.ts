import { APIError } from 'openai';
import { afterEach, describe, expect, it } from 'vitest';
import { waitFor } from '../helpers/wait.js';
import { GatewayHarness } from './gateway-harness.js';
import { chatBody, JSON_HEADERS, readTimed } from './sse-reader.js';

let h: GatewayHarness | undefined;
afterEach(async () => {
  await h?.close();
  h = undefined;
});

const post = (harness: GatewayHarness, body: string, signal?: AbortSignal) =>
  fetch(`${harness.baseUrl}/chat/completions`, { method: 'POST', headers: JSON_HEADERS, body, signal });

describe('streaming relay', () => {
  it('sends no-buffering headers and keeps a slow upstream chunk timing (no batching)', async () => {
    const delay = 150;
    h = await GatewayHarness.start({ accounts: [{ id: 'a', chunkDelayMs: delay }] });
    const response = await post(h, chatBody());
    expect(response.headers.get('content-type')).toMatch(/^text\/event-stream/);
    expect(response.headers.get('cache-control')).toBe('no-cache');
    expect(response.headers.get('x-accel-buffering')).toBe('no');
    const reads = await readTimed(response);
    const withContent = reads.filter((r) => r.text.includes('"content"'));
    // 5 content-bearing chunks (role, 3 words, finish) were written 150 ms apart upstream: they
    // must arrive as separate reads spread over time, not as one late blob.
    expect(withContent.length).toBeGreaterThanOrEqual(4);
    const span = withContent[withContent.length - 1].at - withContent[0].at;
    expect(span).toBeGreaterThanOrEqual((withContent.length - 1) * delay * 0.6);
    const gaps = withContent.slice(1).map((r, i) => r.at - withContent[i].at);
    expect(gaps.filter((gap) => gap >= delay * 0.5).length).toBeGreaterThanOrEqual(gaps.length - 1);
    expect(reads.map((r) => r.text).join('')).toContain('data: [DONE]');
  });

  it('strips exactly the usage-only chunk from the bytes when the client did not ask for usage', async () => {
    h = await GatewayHarness.start({ accounts: [{ id: 'a' }] });
    const text = (await readTimed(await post(h, chatBody()))).map((r) => r.text).join('');
    expect(text).not.toContain('"choices":[]');
    expect(text).not.toContain('"prompt_tokens"');
    expect(text.trimEnd().endsWith('data: [DONE]')).toBe(true);
    await waitFor(() => h?.sink.records[0]?.usage?.inputTokens === 12, { what: 'usage from the stripped chunk' });
  });

  it('fills silences with keep-alive comments and ends a stalled stream with an error event', async () => {
    h = await GatewayHarness.start({ accounts: [{ id: 'a' }], routing: 'strategy: round_robin, timeouts: { keepAlive: 100ms, idle: 700ms }' });
    h.upstream('a').failNext({ kind: 'stall', afterChunks: 2 });
    const text = (await readTimed(await post(h, chatBody({ stream_options: { include_usage: true } })))).map((r) => r.text).join('');
    expect(text).toContain(': keep-alive\n\n');
    expect(text).toMatch(/event: error\ndata: \{[^\n]*"code":"upstream_timeout"/);
    // Every event is whole: comments and the error only ever sit between events.
    for (const block of text.split('\n\n').filter((b) => b !== '')) expect(block).toMatch(/^(data: |event: |: keep-alive)/);
    await waitFor(() => h?.sink.records.length === 1, { what: 'record' });
    expect(h.sink.records[0]).toMatchObject({ status: 200, errorCode: 'upstream_timeout', usage: null });
  });

  it('the SDK surfaces a stalled stream as an APIError', async () => {
    h = await GatewayHarness.start({ accounts: [{ id: 'a' }], routing: 'strategy: round_robin, timeouts: { idle: 500ms }' });
    h.upstream('a').failNext({ kind: 'stall', afterChunks: 1 });
    const stream = await h.client.chat.completions.create({ model: 'gpt-test', messages: [{ role: 'user', content: 'hi' }], stream: true });
    const error = await (async () => {
      for await (const _chunk of stream);
    })().then(
      () => null,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(APIError);
    expect((error as APIError).code).toBe('upstream_timeout');
  });

  it('does not fail over once bytes reached the client: a mid-stream reset ends the stream with an error', async () => {
    h = await GatewayHarness.start({ accounts: [{ id: 'a' }, { id: 'b' }] });
    h.upstream('a').failNext({ kind: 'reset-mid-stream', afterChunks: 2 });
    const text = (await readTimed(await post(h, chatBody()))).map((r) => r.text).join('');
    expect(text).toContain('"role":"assistant"');
    expect(text).toContain('"code":"upstream_error"');
    expect(h.postCount('b')).toBe(0);
    await waitFor(() => h?.sink.records.length === 1, { what: 'record' });
    expect(h.sink.records[0]).toMatchObject({ accountId: 'a', attempts: 1, errorCode: 'upstream_error' });
  });

  it('aborts the upstream request when the client disconnects mid-stream', async () => {
    h = await GatewayHarness.start({ accounts: [{ id: 'a', chunkDelayMs: 300 }] });
    const controller = new AbortController();
    const response = await post(h, chatBody(), controller.signal);
    const reader = response.body?.getReader();
    await reader?.read();
    controller.abort();
    await waitFor(() => h?.upstream('a').requests[0]?.closedEarly, { what: 'upstream saw the socket close' });
    expect(h.upstream('a').requests[0].finished).toBe(false);
    await waitFor(() => h?.sink.records.length === 1, { what: 'record' });
    expect(h.sink.records[0]).toMatchObject({ errorCode: 'client_disconnected', status: 200 });
  });

  it('aborts the upstream request when the client leaves before the answer starts', async () => {
    h = await GatewayHarness.start({ accounts: [{ id: 'a' }] });
    h.upstream('a').failNext({ kind: 'slow-first-byte', delayMs: 3_000 });
    const controller = new AbortController();
    const pending = post(h, chatBody({ stream: false }), controller.signal).catch(() => null);
    await waitFor(() => h?.upstream('a').requests.length === 1, { what: 'request upstream' });
    controller.abort();
    await pending;
    await waitFor(() => h?.upstream('a').requests[0]?.closedEarly, { what: 'upstream saw the socket close' });
    await waitFor(() => h?.sink.records.length === 1, { what: 'record' });
    expect(h.sink.records[0]).toMatchObject({ status: 499, errorCode: 'client_disconnected', attempts: 1 });
  });
});
