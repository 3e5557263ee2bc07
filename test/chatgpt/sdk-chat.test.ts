import type { ChatCompletionMessageParam } from 'openai/resources/chat/completions';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { assembleChat } from './chat-stream.js';
import { ChatgptHarness } from './chatgpt-harness.js';
import { openclawRequest, toolRoundAnswerer } from './openclaw.js';

let h: ChatgptHarness;

beforeAll(async () => {
  h = await ChatgptHarness.start({ seats: [{ id: 'seat-a', plan: 'pro' }] });
});
afterAll(async () => h?.close());
beforeEach(() => {
  h.backend.answer = toolRoundAnswerer;
});

function lastBackendBody(): Record<string, unknown> {
  return h.backend.requests[h.backend.requests.length - 1].body;
}

describe('OpenClaw end to end: a streaming tool-calling conversation on chatgpt accounts', () => {
  it.each(['gpt-5.3-codex', 'gpt-5.3-codex-spark'])('%s', async (model) => {
    const before = h.sink.records.length;
    const question: ChatCompletionMessageParam = { role: 'user', content: 'What is the weather in Paris and Rome?' };
    const first = await assembleChat(await h.client.chat.completions.create(openclawRequest(model, [question])));
    expect(first.finishReason).toBe('tool_calls');
    expect(first.content).toBe('');
    expect(first.toolCalls.map((c) => [c.name, JSON.parse(c.arguments) as unknown])).toEqual([
      ['get_weather', { city: 'Paris' }],
      ['get_weather', { city: 'Rome' }],
    ]);
    expect(first.toolCalls.every((c) => c.id.startsWith('call_'))).toBe(true);
    expect(first.usage).toMatchObject({ prompt_tokens: 800, completion_tokens: 30, completion_tokens_details: { reasoning_tokens: 16 } });
    expect([...first.ids]).toHaveLength(1);
    expect([...first.ids][0]).toMatch(/^chatcmpl-/);

    const sent = lastBackendBody();
    expect(sent).toMatchObject({ model, store: false, stream: true, tool_choice: 'auto' });
    expect(sent.instructions).toContain('running inside OpenClaw');
    for (const dropped of ['max_completion_tokens', 'max_output_tokens', 'temperature', 'stream_options']) expect(sent).not.toHaveProperty(dropped);
    expect((sent.tools as unknown[]).length).toBe(11);

    // The round OpenClaw sends back: assistant content null + tool_calls, tool messages, parts content.
    const round: ChatCompletionMessageParam[] = [
      question,
      { role: 'assistant', content: null, tool_calls: first.toolCalls.map((c) => ({ id: c.id, type: 'function', function: { name: c.name, arguments: c.arguments } })) },
      { role: 'tool', tool_call_id: first.toolCalls[0].id, content: '18°C sunny' },
      { role: 'tool', tool_call_id: first.toolCalls[1].id, content: [{ type: 'text', text: '24°C cloudy' }] },
    ];
    const second = await assembleChat(await h.client.chat.completions.create(openclawRequest(model, round)));
    expect(second.finishReason).toBe('stop');
    expect(second.content).toBe('The weather: 18°C sunny / 24°C cloudy');
    expect(second.usage).toMatchObject({ prompt_tokens: 900, prompt_tokens_details: { cached_tokens: 512 } });
    const input = lastBackendBody().input as Array<Record<string, unknown>>;
    expect(input.map((item) => item.type)).toEqual(['message', 'function_call', 'function_call', 'function_call_output', 'function_call_output']);
    expect(input[3]).toEqual({ type: 'function_call_output', call_id: first.toolCalls[0].id, output: '18°C sunny' });

    const records = h.sink.records.slice(before);
    expect(records.map((r) => [r.endpoint, r.status, r.accountId, r.stream])).toEqual([
      ['chat.completions', 200, 'seat-a', true],
      ['chat.completions', 200, 'seat-a', true],
    ]);
    expect(records[1].usage).toEqual({ inputTokens: 900, cachedInputTokens: 512, outputTokens: 12, reasoningTokens: 4 });
  });
});

describe('chat completions through a chatgpt account', () => {
  it('non-streaming, with a tool round, as one chat.completion each', async () => {
    const tools = openclawRequest('gpt-5.3-codex', []).tools;
    const first = await h.client.chat.completions.create({ model: 'gpt-5.3-codex', messages: [{ role: 'user', content: 'Weather?' }], tools, max_tokens: 50 });
    const message = first.choices[0].message;
    expect(first.choices[0].finish_reason).toBe('tool_calls');
    expect(message.content).toBeNull();
    expect(message.tool_calls?.map((c) => (c.type === 'function' ? c.function.name : c.type))).toEqual(['get_weather', 'get_weather']);
    expect(first.usage).toMatchObject({ prompt_tokens: 800, completion_tokens: 30, total_tokens: 830 });

    const second = await h.client.chat.completions.create({
      model: 'gpt-5.3-codex',
      tools,
      messages: [
        { role: 'user', content: 'Weather?' },
        message,
        ...(message.tool_calls ?? []).map((c, i): ChatCompletionMessageParam => ({ role: 'tool', tool_call_id: c.id, content: i === 0 ? 'sun' : 'rain' })),
      ],
    });
    expect(second.choices[0]).toMatchObject({ finish_reason: 'stop', message: { role: 'assistant', content: 'The weather: sun / rain' } });
    expect(second.id).toMatch(/^chatcmpl-/);
  });

  it('streams without include_usage: no usage chunk for the client, usage still recorded', async () => {
    h.backend.answer = () => ({ text: ['a', 'b', 'c'], usage: { input: 5, cached: 1, output: 3, reasoning: 0 } });
    const before = h.sink.records.length;
    const chat = await assembleChat(await h.client.chat.completions.create({ model: 'gpt-5.3-codex', messages: [{ role: 'user', content: 'abc' }], stream: true }));
    expect(chat).toMatchObject({ content: 'abc', finishReason: 'stop', usage: null });
    await expect.poll(() => h.sink.records.length).toBe(before + 1);
    expect(h.sink.records[before].usage).toEqual({ inputTokens: 5, cachedInputTokens: 1, outputTokens: 3, reasoningTokens: 0 });
  });

  it('sends images, JSON schema and reasoning effort the way the backend takes them', async () => {
    h.backend.answer = () => ({ text: ['{"name":"Ada"}'] });
    const completion = await h.client.chat.completions.create({
      model: 'gpt-5.3-codex',
      reasoning_effort: 'high',
      response_format: { type: 'json_schema', json_schema: { name: 'person', strict: true, schema: { type: 'object', properties: { name: { type: 'string' } }, required: ['name'], additionalProperties: false } } },
      messages: [{ role: 'user', content: [{ type: 'text', text: 'Who?' }, { type: 'image_url', image_url: { url: 'data:image/png;base64,AAAA', detail: 'low' } }] }],
    });
    expect(JSON.parse(completion.choices[0].message.content ?? '')).toEqual({ name: 'Ada' });
    const sent = lastBackendBody();
    expect(sent.reasoning).toEqual({ effort: 'high' });
    expect(sent.text).toEqual({ format: { type: 'json_schema', name: 'person', strict: true, schema: expect.objectContaining({ type: 'object' }) } });
    expect((sent.input as Array<{ content: unknown[] }>)[0].content).toEqual([
      { type: 'input_text', text: 'Who?' },
      { type: 'input_image', image_url: 'data:image/png;base64,AAAA', detail: 'low' },
    ]);
  });

  it('answers 400 for what cannot be translated, without touching the account', async () => {
    const before = h.backend.requests.length;
    const error = await h.client.chat.completions.create({ model: 'gpt-5.3-codex', messages: [{ role: 'user', content: 'x' }], n: 2 }).catch((e: unknown) => e);
    expect(error).toMatchObject({ status: 400, error: { param: 'n' } });
    expect(h.backend.requests.length).toBe(before);
    const ok = await h.client.chat.completions.create({ model: 'gpt-5.3-codex', messages: [{ role: 'user', content: 'x' }] });
    expect(ok.choices[0].finish_reason).toBe('stop');
  });
});
