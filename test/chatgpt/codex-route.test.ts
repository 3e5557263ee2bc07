import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { ChatgptHarness } from './chatgpt-harness.js';
import { parseSse } from './golden.js';

let h: ChatgptHarness;

beforeAll(async () => {
  h = await ChatgptHarness.start({ seats: [{ id: 'seat-a', fields: 'plan: pro' }] });
});
afterAll(async () => h?.close());

/** A turn as the Codex CLI 0.169 sends it to `{base_url}/responses` (CLIENTS.md). */
function codexTurn(threadId: string, input: unknown[]): { headers: Record<string, string>; body: Record<string, unknown> } {
  return {
    headers: {
      'content-type': 'application/json',
      accept: 'text/event-stream',
      authorization: 'Bearer client-key-not-for-upstream',
      'user-agent': 'codex_exec/0.169.0 (Debian 12; x86_64) xterm',
      originator: 'codex_exec',
      'session-id': threadId,
      'thread-id': threadId,
      'x-client-request-id': randomUUID(),
      'x-codex-turn-metadata': '{"turn":1}',
      'x-codex-window-id': 'w-1',
      'x-codex-beta-features': 'unified_exec',
      'x-stainless-os': 'Linux',
    },
    body: {
      model: 'gpt-5.3-codex',
      input,
      tools: [
        { type: 'function', name: 'shell', description: 'Run a command', parameters: { type: 'object', properties: { command: { type: 'array', items: { type: 'string' } } } }, strict: false },
        { type: 'web_search' },
      ],
      tool_choice: 'auto',
      parallel_tool_calls: true,
      reasoning: { summary: 'auto' },
      store: false,
      stream: true,
      include: ['reasoning.encrypted_content'],
      prompt_cache_key: threadId,
      client_metadata: { originator: 'codex_exec' },
    },
  };
}

it('serves POST /backend-api/codex/responses for the Codex CLI: events, session headers and quota headers as they are', async () => {
  const thread = randomUUID();
  const turn = codexTurn(thread, [
    { type: 'message', role: 'developer', content: [{ type: 'input_text', text: '<permissions instructions>sandboxed</permissions instructions>' }] },
    { type: 'message', role: 'user', content: [{ type: 'input_text', text: 'list the files' }] },
  ]);
  const res = await fetch(`${h.url}/backend-api/codex/responses`, { method: 'POST', headers: turn.headers, body: JSON.stringify(turn.body) });
  expect(res.status).toBe(200);
  expect(res.headers.get('content-type')).toContain('text/event-stream');
  expect(res.headers.get('x-codex-primary-used-percent')).toBe('0');
  expect(res.headers.get('x-codex-secondary-window-minutes')).toBe('10080');
  const events = parseSse(await res.text());
  expect(events[0]).toMatchObject({ type: 'codex.rate_limits', rate_limits: { primary: { used_percent: 0 } } });
  expect(events.map((e) => e.type)).toContain('response.completed');
  const reasoning = events.find((e) => e.type === 'response.output_item.done' && (e.item as { type?: string }).type === 'reasoning');
  expect((reasoning?.item as { encrypted_content?: string }).encrypted_content).toMatch(/^gAAAA/);

  const received = h.backend.requests[h.backend.requests.length - 1];
  expect(received.headers).toMatchObject({
    originator: 'codex_exec',
    'session-id': thread,
    'thread-id': thread,
    'x-codex-turn-metadata': '{"turn":1}',
    'x-codex-window-id': 'w-1',
    'x-codex-beta-features': 'unified_exec',
    'user-agent': 'codex_exec/0.169.0 (Debian 12; x86_64) xterm',
    'chatgpt-account-id': 'acct-seat-a',
  });
  expect(received.headers.authorization).toBe(`Bearer ${h.seeded.get('seat-a')?.accessToken}`);
  expect(received.headers).not.toHaveProperty('x-stainless-os');
  // The CLI sends no instructions: its developer message became them; everything else is as sent.
  expect(received.body.instructions).toBe('<permissions instructions>sandboxed</permissions instructions>');
  expect(received.body).toMatchObject({ prompt_cache_key: thread, client_metadata: { originator: 'codex_exec' }, include: ['reasoning.encrypted_content'], parallel_tool_calls: true });
  expect((received.body.tools as unknown[]).length).toBe(2);
  expect((received.body.input as unknown[]).length).toBe(1);

  await expect.poll(() => h.sink.records.at(-1)?.endpoint).toBe('codex.responses');
  expect(h.sink.records.at(-1)).toMatchObject({ status: 200, accountId: 'seat-a', usage: { inputTokens: 20, cachedInputTokens: 8, outputTokens: 6, reasoningTokens: 2 } });
});

it('answers unknown Codex routes in the error envelope', async () => {
  const res = await fetch(`${h.url}/backend-api/codex/nope`, { method: 'POST', body: '{}', headers: { 'content-type': 'application/json' } });
  expect(res.status).toBe(404);
  expect(await res.json()).toMatchObject({ error: { code: 'unknown_url' } });
});
