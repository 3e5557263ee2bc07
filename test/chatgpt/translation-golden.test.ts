import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ChatCompletionAccumulator } from '../../src/providers/chatgpt/chat-completion-accumulator.js';
import { chatToResponsesRequest } from '../../src/providers/chatgpt/chat-to-responses.js';
import type { ChatCompletionChunk } from '../../src/providers/chatgpt/chat-types.js';
import { ResponsesCollector } from '../../src/providers/chatgpt/responses-collector.js';
import { ResponsesToChatStream } from '../../src/providers/chatgpt/responses-to-chat-stream.js';
import { expectGolden, parseSse } from './golden.js';

const DIR = join(import.meta.dirname, '..', 'fixtures', 'chatgpt');
const cases = (suffix: string) => readdirSync(DIR).filter((f) => f.endsWith(suffix)).map((f) => f.slice(0, -suffix.length));

describe('chat request → Responses request (golden)', () => {
  it.each(cases('.chat.json'))('%s', (name) => {
    const body: unknown = JSON.parse(readFileSync(join(DIR, `${name}.chat.json`), 'utf8'));
    const translation = chatToResponsesRequest(body, 'gpt-5.3-codex');
    // What the backend insists on, whatever the case.
    expect(translation.request).toMatchObject({ store: false, stream: true });
    expect(typeof translation.request.instructions).toBe('string');
    expect(translation.request).not.toHaveProperty('max_output_tokens');
    expectGolden(join(DIR, `${name}.responses.json`), translation);
  });
});

describe('Responses stream → chat chunks (golden)', () => {
  it.each(cases('.sse'))('%s', (name) => {
    const events = parseSse(readFileSync(join(DIR, `${name}.sse`), 'utf8'));
    const stream = new ResponsesToChatStream({ model: 'gpt-5.3-codex', includeUsage: true, created: 0, fallbackId: 'chatcmpl-fallback' });
    const chunks: ChatCompletionChunk[] = [];
    for (const event of events) {
      for (const out of stream.push(event)) {
        if (out.kind === 'error') throw new Error(out.error.message);
        chunks.push(out.chunk);
      }
    }
    expect(stream.finished).toBe(true);
    expectGolden(join(DIR, `${name}.chunks.json`), chunks);

    const accumulator = new ChatCompletionAccumulator();
    for (const chunk of chunks) accumulator.add(chunk);
    expectGolden(join(DIR, `${name}.completion.json`), accumulator.result(stream.usage));

    const collector = new ResponsesCollector();
    for (const event of events) collector.push(event);
    const collected = collector.result();
    expect(collected.ok).toBe(true);
    if (collected.ok) expect((collected.response.output as unknown[]).length).toBeGreaterThan(0);
  });
});
