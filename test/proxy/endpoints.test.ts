import type OpenAI from 'openai';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { UsageRecord } from '../../src/usage/usage-record.js';
import { TOOL_CALL } from '../fakes/openai-payloads.js';
import { waitFor } from '../helpers/wait.js';
import { GatewayHarness } from './gateway-harness.js';

let h: GatewayHarness;
beforeAll(async () => {
  h = await GatewayHarness.start({
    accounts: [{ id: 'a', fields: 'headers: { x-account-tag: tag-a }' }],
    models: `  - { id: gpt-test, aliases: [gpt-alias], upstreamModel: gpt-upstream }
  - { id: text-embed, upstreamModel: text-embed }`,
  });
});
afterAll(async () => h?.close());
beforeEach(() => {
  h.upstream('a').reset();
  h.sink.records.length = 0;
});

const lastRequest = () => {
  const requests = h.upstream('a').requests;
  return requests[requests.length - 1];
};
const records = (n: number): Promise<UsageRecord[]> => waitFor(() => (h.sink.records.length >= n ? h.sink.records : null), { what: `${n} usage records` });

describe('models', () => {
  it('lists the configured models and gets one by id', async () => {
    const page = await h.client.models.list();
    expect(page.data.map((m) => m.id)).toEqual(['gpt-test', 'text-embed']);
    expect((await h.client.models.retrieve('gpt-test')).id).toBe('gpt-test');
  });
});

describe('chat completions', () => {
  it('answers non-streamed, with the model rewritten and the account key sent upstream', async () => {
    const completion = await h.client.chat.completions.create({ model: 'gpt-alias', messages: [{ role: 'user', content: 'hi' }] });
    expect(completion.choices[0].message.content).toBe('Hello from a');
    const sent = lastRequest();
    expect(sent.path).toBe('/v1/chat/completions');
    expect(sent.body?.model).toBe('gpt-upstream');
    expect(sent.headers.authorization).toBe('Bearer key-a');
    expect(sent.headers['x-account-tag']).toBe('tag-a');
    expect(sent.raw).not.toContain('client-secret-key');
    expect(JSON.stringify(sent.headers)).not.toContain('client-secret-key');
    const [record] = await records(1);
    expect(record).toMatchObject({
      keyId: 'anonymous',
      accountId: 'a',
      model: 'gpt-test',
      upstreamModel: 'gpt-upstream',
      endpoint: 'chat.completions',
      stream: false,
      status: 200,
      errorCode: null,
      attempts: 1,
      usage: { inputTokens: 12, cachedInputTokens: 4, outputTokens: 7, reasoningTokens: 3 },
      costMicroUsd: null,
    });
    expect(record.userAgent).toMatch(/^OpenAI\/JS/);
    expect(record.ttftMs).not.toBeNull();
  });

  it('streams, asks upstream for usage and strips the usage chunk the client did not ask for', async () => {
    const stream = await h.client.chat.completions.create({ model: 'gpt-test', messages: [{ role: 'user', content: 'hi' }], stream: true });
    const chunks: OpenAI.Chat.Completions.ChatCompletionChunk[] = [];
    for await (const chunk of stream) chunks.push(chunk);
    expect(chunks.map((c) => c.choices[0]?.delta.content ?? '').join('')).toBe('Hello from a');
    expect(chunks.every((c) => c.choices.length === 1)).toBe(true);
    expect(lastRequest().body?.stream_options).toEqual({ include_usage: true });
    const [record] = await records(1);
    expect(record).toMatchObject({ stream: true, status: 200, usage: { inputTokens: 12, cachedInputTokens: 4, outputTokens: 7, reasoningTokens: 3 } });
  });

  it('streams with include_usage as the client asked, usage chunk included', async () => {
    const stream = await h.client.chat.completions.create({
      model: 'gpt-test',
      messages: [{ role: 'user', content: 'hi' }],
      stream: true,
      stream_options: { include_usage: true },
    });
    const chunks: OpenAI.Chat.Completions.ChatCompletionChunk[] = [];
    for await (const chunk of stream) chunks.push(chunk);
    const last = chunks[chunks.length - 1];
    expect(last.choices).toEqual([]);
    expect(last.usage?.prompt_tokens_details?.cached_tokens).toBe(4);
    // Nothing to rewrite: the client's own bytes went upstream.
    expect(lastRequest().raw).toContain('"include_usage":true');
  });

  it('runs a tool-call round, non-streamed', async () => {
    const tools: OpenAI.Chat.Completions.ChatCompletionTool[] = [
      { type: 'function', function: { name: TOOL_CALL.name, parameters: { type: 'object', properties: { city: { type: 'string' } } } } },
    ];
    const messages: OpenAI.Chat.Completions.ChatCompletionMessageParam[] = [{ role: 'user', content: [{ type: 'text', text: 'weather in Paris?' }] }];
    const first = await h.client.chat.completions.create({ model: 'gpt-test', messages, tools, tool_choice: 'auto' });
    const call = first.choices[0].message.tool_calls?.[0];
    expect(first.choices[0].finish_reason).toBe('tool_calls');
    expect(call?.type === 'function' && call.function.name).toBe(TOOL_CALL.name);
    messages.push(first.choices[0].message, { role: 'tool', tool_call_id: call?.id ?? '', content: '{"temp":21}' });
    const second = await h.client.chat.completions.create({ model: 'gpt-test', messages, tools });
    expect(second.choices[0].message.content).toBe('Hello from a');
    expect((lastRequest().body?.messages as unknown[]).length).toBe(3);
  });

  it('runs a tool-call round, streamed', async () => {
    const tools: OpenAI.Chat.Completions.ChatCompletionTool[] = [{ type: 'function', function: { name: TOOL_CALL.name, parameters: { type: 'object' } } }];
    const stream = await h.client.chat.completions.create({
      model: 'gpt-test',
      messages: [{ role: 'user', content: 'weather?' }],
      tools,
      stream: true,
      stream_options: { include_usage: true },
    });
    let args = '';
    let id = '';
    let finish: string | null = null;
    for await (const chunk of stream) {
      const delta = chunk.choices[0]?.delta;
      for (const call of delta?.tool_calls ?? []) {
        id ||= call.id ?? '';
        args += call.function?.arguments ?? '';
      }
      finish = chunk.choices[0]?.finish_reason ?? finish;
    }
    expect({ id, args, finish }).toEqual({ id: TOOL_CALL.id, args: TOOL_CALL.arguments, finish: 'tool_calls' });
    const followUp = await h.client.chat.completions.create({
      model: 'gpt-test',
      messages: [
        { role: 'user', content: 'weather?' },
        { role: 'assistant', content: null, tool_calls: [{ id, type: 'function', function: { name: TOOL_CALL.name, arguments: args } }] },
        { role: 'tool', tool_call_id: id, content: 'sunny' },
      ],
      tools,
      stream: true,
    });
    let text = '';
    for await (const chunk of followUp) text += chunk.choices[0]?.delta.content ?? '';
    expect(text).toBe('Hello from a');
  });
});

describe('responses', () => {
  it('answers non-streamed with usage', async () => {
    const response = await h.client.responses.create({ model: 'gpt-test', input: 'hi', store: false });
    expect(response.output_text).toBe('Hello from a');
    expect(lastRequest().path).toBe('/v1/responses');
    const [record] = await records(1);
    expect(record).toMatchObject({ endpoint: 'responses', stream: false, usage: { inputTokens: 12, cachedInputTokens: 4, outputTokens: 7, reasoningTokens: 3 } });
  });

  it('streams events, usage read from response.completed', async () => {
    const stream = await h.client.responses.create({ model: 'gpt-test', input: [{ role: 'user', content: 'hi' }], stream: true, store: false });
    let text = '';
    const types: string[] = [];
    for await (const event of stream) {
      types.push(event.type);
      if (event.type === 'response.output_text.delta') text += event.delta;
    }
    expect(text).toBe('Hello from a');
    expect(types[0]).toBe('response.created');
    expect(types.at(-1)).toBe('response.completed');
    const [record] = await records(1);
    expect(record).toMatchObject({ endpoint: 'responses', stream: true, usage: { inputTokens: 12, outputTokens: 7, reasoningTokens: 3, cachedInputTokens: 4 } });
  });

  it('runs a function-call round, streamed and not', async () => {
    const tools: OpenAI.Responses.Tool[] = [{ type: 'function', name: TOOL_CALL.name, parameters: { type: 'object' }, strict: false }];
    const first = await h.client.responses.create({ model: 'gpt-test', input: 'weather?', tools });
    const call = first.output.find((item) => item.type === 'function_call');
    expect(call?.type === 'function_call' && call.arguments).toBe(TOOL_CALL.arguments);
    const stream = await h.client.responses.create({
      model: 'gpt-test',
      input: [
        { role: 'user', content: 'weather?' },
        { type: 'function_call', call_id: TOOL_CALL.id, name: TOOL_CALL.name, arguments: TOOL_CALL.arguments },
        { type: 'function_call_output', call_id: TOOL_CALL.id, output: 'sunny' },
      ],
      tools,
      stream: true,
    });
    let text = '';
    for await (const event of stream) if (event.type === 'response.output_text.delta') text += event.delta;
    expect(text).toBe('Hello from a');
    const streamedCall = await h.client.responses.create({ model: 'gpt-test', input: 'weather?', tools, stream: true });
    let args = '';
    for await (const event of streamedCall) if (event.type === 'response.function_call_arguments.delta') args += event.delta;
    expect(args).toBe(TOOL_CALL.arguments);
  });
});

describe('embeddings', () => {
  it('returns vectors (the SDK asks for base64 and decodes) and records prompt tokens', async () => {
    const result = await h.client.embeddings.create({ model: 'text-embed', input: ['one', 'two'] });
    expect(result.data).toHaveLength(2);
    expect(result.data[1].embedding[0]).toBeCloseTo(0.2, 5);
    expect(lastRequest().path).toBe('/v1/embeddings');
    const [record] = await records(1);
    expect(record).toMatchObject({ endpoint: 'embeddings', stream: false, usage: { inputTokens: 10, outputTokens: 0 } });
  });
});

describe('headers', () => {
  it('echoes x-request-id, or generates one, and keeps hop-by-hop and client auth away from upstream', async () => {
    const body = JSON.stringify({ model: 'gpt-test', messages: [{ role: 'user', content: 'hi' }] });
    const echoed = await fetch(`${h.baseUrl}/chat/completions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-request-id': 'my-req-1', authorization: 'Bearer client-secret-key', 'x-api-key': 'client-secret-key', 'x-stainless-os': 'Linux', te: 'trailers', 'session-id': 'sess-9' },
      body,
    });
    expect(echoed.status).toBe(200);
    expect(echoed.headers.get('x-request-id')).toBe('my-req-1');
    expect(echoed.headers.get('x-upstream-request-id')).toMatch(/^req_a-/);
    const sent = lastRequest().headers;
    expect(sent.authorization).toBe('Bearer key-a');
    expect(sent['x-api-key']).toBeUndefined();
    expect(sent.te).toBeUndefined();
    expect(sent['x-stainless-os']).toBe('Linux');
    expect(sent['session-id']).toBe('sess-9');
    const generated = await fetch(`${h.baseUrl}/chat/completions`, { method: 'POST', headers: { 'content-type': 'application/json' }, body });
    expect(generated.headers.get('x-request-id')).toMatch(/^[0-9a-f-]{36}$/);
    const [first] = await records(2);
    expect(first.requestId).toBe('my-req-1');
  });
});
