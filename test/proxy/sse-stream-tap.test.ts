import { createParser } from 'eventsource-parser';
import { describe, expect, it } from 'vitest';
import { SseStreamTap } from '../../src/providers/sse-stream-tap.js';
import { tokenUsage } from '../../src/providers/token-usage.js';
import type { Endpoint } from '../../src/usage/usage-record.js';

/**
 * The tap parses only the events that can matter and forwards bytes otherwise. Checked against
 * an oracle that parses every event, over every way of cutting the stream into two chunks and
 * into single bytes: same bytes out, same usage, same error code.
 */
const chunk = (delta: object, extra: object = {}) => `data: ${JSON.stringify({ id: 'c', object: 'chat.completion.chunk', choices: [{ index: 0, delta }], ...extra })}\n\n`;
const USAGE = { prompt_tokens: 12, completion_tokens: 3, total_tokens: 15, prompt_tokens_details: { cached_tokens: 4 } };
const usageChunk = `data: ${JSON.stringify({ id: 'c', object: 'chat.completion.chunk', choices: [], usage: USAGE })}\n\n`;

const CHAT_WITH_USAGE = [chunk({ role: 'assistant' }, { usage: null }), ': keep-alive\n\n', chunk({ content: 'Hé ✓' }, { usage: null }), 'retry: 100\n\n', usageChunk, 'data: [DONE]\n\n'].join('');
const CHAT_CRLF = CHAT_WITH_USAGE.replace(/\n/g, '\r\n');
const CHAT_ERROR = [chunk({ content: 'x' }), `data: ${JSON.stringify({ error: { message: 'boom', type: 'server_error', code: 'overloaded' } })}\n\n`].join('');
const EVENT_ERROR = [chunk({ content: 'the word error in text' }), `event: error\ndata: ${JSON.stringify({ error: { code: 'bad_thing' } })}\n\n`].join('');
const RESPONSES = [
  `event: response.created\ndata: ${JSON.stringify({ type: 'response.created', response: { id: 'r' } })}\n\n`,
  `event: response.output_text.delta\ndata: ${JSON.stringify({ type: 'response.output_text.delta', delta: 'hi' })}\n\n`,
  `event: response.completed\ndata: ${JSON.stringify({ type: 'response.completed', response: { id: 'r', usage: { input_tokens: 7, output_tokens: 2 } } })}\n\n`,
].join('');
const RESPONSES_FAILED = `data: ${JSON.stringify({ type: 'response.failed', response: { id: 'r', error: { code: 'server_is_overloaded' } } })}\n\n`;
const LEADING_ERROR = `data: ${JSON.stringify({ error: { code: 'first_thing' } })}\n\n${chunk({ content: 'x' })}`;
const UNTERMINATED = `${chunk({ content: 'a' })}data: ${JSON.stringify({ id: 'c', choices: [], usage: USAGE })}`;

/** What the tap must find: every event parsed (the tap's rules, applied to all of them). */
function oracle(stream: string, endpoint: Endpoint): { usage: ReturnType<typeof tokenUsage>; errorCode: string | null } {
  let usage: ReturnType<typeof tokenUsage> = null;
  let errorCode: string | null = null;
  const parse = (text: string): unknown => {
    try {
      return JSON.parse(text);
    } catch {
      return undefined;
    }
  };
  const parser = createParser({
    onEvent(event) {
      const json = parse(event.data) as Record<string, unknown> | undefined;
      if (event.event === 'error') errorCode ??= ((json?.error as Record<string, string> | undefined)?.code ?? 'upstream_stream_error');
      else if (endpoint === 'chat.completions') {
        if (/"usage"\s*:\s*\{/.test(event.data)) usage = tokenUsage(json?.usage) ?? usage;
        else if (event.data.startsWith('{"error"')) errorCode ??= ((json?.error as Record<string, string> | undefined)?.code ?? 'upstream_stream_error');
      } else if (json?.type === 'response.completed' || json?.type === 'response.failed') {
        const response = json.response as Record<string, unknown>;
        usage = tokenUsage(response.usage) ?? usage;
        if (json.type === 'response.failed') errorCode ??= ((response.error as Record<string, string> | undefined)?.code ?? 'response_failed');
      }
    },
  });
  parser.feed(`${stream}\n\n`);
  return { usage, errorCode };
}

function run(stream: string, endpoint: Endpoint, strip: boolean, cuts: number[]): { out: string; tap: SseStreamTap } {
  const bytes = Buffer.from(stream);
  const tap = new SseStreamTap(endpoint, strip);
  const out: Buffer[] = [];
  let from = 0;
  for (const cut of [...cuts, bytes.length]) {
    const piece = tap.push(bytes.subarray(from, cut));
    if (piece !== null) out.push(Buffer.from(piece));
    from = cut;
  }
  const rest = tap.end();
  if (rest !== null) out.push(Buffer.from(rest));
  return { out: Buffer.concat(out).toString('utf8'), tap };
}

function everyCut(stream: string): number[][] {
  const n = Buffer.byteLength(stream);
  const cuts = Array.from({ length: n - 1 }, (_, i) => [i + 1]);
  cuts.push(Array.from({ length: n - 1 }, (_, i) => i + 1));
  return cuts;
}

describe('SSE stream tap', () => {
  const cases: Array<[string, string, Endpoint]> = [
    ['chat with usage', CHAT_WITH_USAGE, 'chat.completions'],
    ['chat, CRLF', CHAT_CRLF, 'chat.completions'],
    ['chat error chunk', CHAT_ERROR, 'chat.completions'],
    ['event: error', EVENT_ERROR, 'chat.completions'],
    ['responses', RESPONSES, 'responses'],
    ['responses failed', RESPONSES_FAILED, 'responses'],
    ['unterminated last event', UNTERMINATED, 'chat.completions'],
    ['error as the very first bytes', LEADING_ERROR, 'chat.completions'],
  ];
  for (const [name, stream, endpoint] of cases) {
    it(`passes the bytes through untouched and reads what the oracle reads: ${name}`, () => {
      const expected = oracle(stream, endpoint);
      for (const cuts of everyCut(stream)) {
        const { out, tap } = run(stream, endpoint, false, cuts);
        expect(out).toBe(stream);
        expect(tap.usage).toEqual(expected.usage);
        expect(tap.errorCode).toBe(expected.errorCode);
      }
    });
  }

  it('reads usage from a chat stream and finds the error codes', () => {
    expect(run(CHAT_WITH_USAGE, 'chat.completions', false, []).tap.usage).toEqual({ inputTokens: 12, cachedInputTokens: 4, outputTokens: 3, reasoningTokens: 0 });
    expect(run(CHAT_ERROR, 'chat.completions', false, []).tap.errorCode).toBe('overloaded');
    expect(run(EVENT_ERROR, 'chat.completions', false, []).tap.errorCode).toBe('bad_thing');
    expect(run(RESPONSES, 'responses', false, []).tap.usage).toEqual({ inputTokens: 7, cachedInputTokens: 0, outputTokens: 2, reasoningTokens: 0 });
    expect(run(RESPONSES_FAILED, 'responses', false, []).tap.errorCode).toBe('server_is_overloaded');
    expect(run(UNTERMINATED, 'chat.completions', false, []).tap.usage?.inputTokens).toBe(12);
  });

  it('strip mode leaves out exactly the usage-only chunk, whatever the cuts, and still reads its usage', () => {
    for (const [stream, usageEvent] of [[CHAT_WITH_USAGE, usageChunk], [CHAT_CRLF, usageChunk.replace(/\n/g, '\r\n')]]) {
      for (const cuts of everyCut(stream)) {
        const { out, tap } = run(stream, 'chat.completions', true, cuts);
        expect(out).toBe(stream.replace(usageEvent, ''));
        expect(tap.usage?.inputTokens).toBe(12);
      }
    }
    expect(run(UNTERMINATED, 'chat.completions', true, []).out).toBe(chunk({ content: 'a' }));
  });
});
