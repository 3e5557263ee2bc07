import type { ResponseInputItem } from 'openai/resources/responses/responses';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { ChatgptHarness } from './chatgpt-harness.js';
import { toolRoundAnswerer } from './openclaw.js';

let h: ChatgptHarness;

beforeAll(async () => {
  h = await ChatgptHarness.start({ seats: [{ id: 'seat-a' }] });
});
afterAll(async () => h?.close());
beforeEach(() => {
  h.backend.answer = toolRoundAnswerer;
});

const weatherTool = {
  type: 'function' as const,
  name: 'get_weather',
  description: 'Weather of a city',
  parameters: { type: 'object', properties: { city: { type: 'string' } }, required: ['city'], additionalProperties: false },
  strict: true,
};

function lastBackendBody(): Record<string, unknown> {
  return h.backend.requests[h.backend.requests.length - 1].body;
}

describe('/v1/responses through a chatgpt account', () => {
  it('non-streaming: the backend stream is collected into one response, unsupported parameters dropped', async () => {
    h.backend.answer = () => ({ text: ['Hi ', 'there'], usage: { input: 9, cached: 0, output: 2, reasoning: 0 } });
    const response = await h.client.responses.create({ model: 'gpt-5.3-codex', instructions: 'Be nice.', input: 'Hello', max_output_tokens: 64, temperature: 0.3, top_p: 0.9 });
    expect(response.output_text).toBe('Hi there');
    expect(response.id).toMatch(/^resp_/);
    expect(response.usage).toMatchObject({ input_tokens: 9, output_tokens: 2 });
    const sent = lastBackendBody();
    expect(sent).toMatchObject({ store: false, stream: true, instructions: 'Be nice.' });
    for (const name of ['max_output_tokens', 'temperature', 'top_p']) expect(sent).not.toHaveProperty(name);
  });

  it('streaming with a tool round (both modes), developer input hoisted into instructions', async () => {
    const stream = await h.client.responses.create({
      model: 'gpt-5.3-codex',
      input: [
        { role: 'developer', content: 'You are a weather bot.' },
        { role: 'user', content: 'Weather in Paris and Rome?' },
      ],
      tools: [weatherTool],
      stream: true,
      store: false,
    });
    const types: string[] = [];
    let completed: { output: Array<Record<string, unknown>> } | null = null;
    for await (const event of stream) {
      types.push(event.type);
      if (event.type === 'response.completed') completed = event.response as unknown as { output: Array<Record<string, unknown>> };
    }
    expect(types).toContain('response.function_call_arguments.delta');
    expect(types.some((t) => t.startsWith('codex.'))).toBe(false);
    const calls = (completed?.output ?? []).filter((item) => item.type === 'function_call');
    expect(calls.map((c) => c.name)).toEqual(['get_weather', 'get_weather']);
    expect(lastBackendBody().instructions).toBe('You are a weather bot.');

    const round: ResponseInputItem[] = [
      { role: 'user', content: 'Weather in Paris and Rome?' },
      ...calls.map((c): ResponseInputItem => ({ type: 'function_call', call_id: String(c.call_id), name: String(c.name), arguments: String(c.arguments) })),
      ...calls.map((c, i): ResponseInputItem => ({ type: 'function_call_output', call_id: String(c.call_id), output: i === 0 ? 'sunny' : 'rainy' })),
    ];
    const answer = await h.client.responses.create({ model: 'gpt-5.3-codex', instructions: 'You are a weather bot.', input: round, tools: [weatherTool] });
    expect(answer.output_text).toBe('The weather: sunny / rainy');
  });

  it('the SDK stream helper assembles the final response', async () => {
    h.backend.answer = () => ({ text: ['one ', 'two'] });
    const stream = h.client.responses.stream({ model: 'gpt-5.3-codex', input: 'count' });
    let deltas = '';
    stream.on('response.output_text.delta', (event) => (deltas += event.delta));
    const final = await stream.finalResponse();
    expect(deltas).toBe('one two');
    expect(final.output_text).toBe('one two');
  });
});
