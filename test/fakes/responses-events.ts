import { randomBytes } from 'node:crypto';

/**
 * Builds the event sequence of one Responses stream as the Codex backend sends it: created,
 * in_progress, then each output item (reasoning with encrypted content, a message with text
 * deltas, function calls with argument deltas) opened, streamed and closed, then completed (or
 * incomplete) with usage. Shared by the fake backend and the golden fixtures.
 */
export interface ScriptedToolCall {
  name: string;
  arguments: string;
  callId?: string;
}

export interface ScriptedAnswer {
  /** Reasoning item first (encrypted, as with `include: ["reasoning.encrypted_content"]`). */
  reasoning?: boolean;
  /** Text of the assistant message, sent in these pieces. */
  text?: string[];
  toolCalls?: ScriptedToolCall[];
  /** Ends `incomplete` with this reason instead of `completed`. */
  incomplete?: 'max_output_tokens' | 'content_filter';
  usage?: { input: number; cached: number; output: number; reasoning: number };
}

export interface ResponseIdentity {
  id: string;
  model: string;
  createdAt: number;
  /** Ids for items; tests pass a counter for stable fixtures. */
  itemId: (prefix: string) => string;
  /** The opaque `encrypted_content` of a reasoning item (the fake backend encodes its account in it). */
  encryptedContent?: (itemId: string) => string;
}

export type StreamEvent = Record<string, unknown> & { type: string };

export function randomItemId(prefix: string): string {
  return `${prefix}_${randomBytes(12).toString('hex')}`;
}

export function responseEvents(answer: ScriptedAnswer, who: ResponseIdentity): StreamEvent[] {
  const events: StreamEvent[] = [];
  const output: Record<string, unknown>[] = [];
  const base = { id: who.id, object: 'response', created_at: who.createdAt, model: who.model, store: false };
  events.push({ type: 'response.created', response: { ...base, status: 'in_progress', output: [], usage: null } });
  events.push({ type: 'response.in_progress', response: { ...base, status: 'in_progress', output: [], usage: null } });

  if (answer.reasoning === true) {
    const id = who.itemId('rs');
    const index = output.length;
    events.push({ type: 'response.output_item.added', output_index: index, item: { id, type: 'reasoning', summary: [] } });
    const encrypted = who.encryptedContent?.(id) ?? `gAAAAB${Buffer.from(`${who.id}:${id}`).toString('base64')}`;
    const item = { id, type: 'reasoning', summary: [], encrypted_content: encrypted };
    events.push({ type: 'response.output_item.done', output_index: index, item });
    output.push(item);
  }
  if (answer.text !== undefined) {
    const id = who.itemId('msg');
    const index = output.length;
    const text = answer.text.join('');
    events.push({ type: 'response.output_item.added', output_index: index, item: { id, type: 'message', status: 'in_progress', role: 'assistant', content: [] } });
    events.push({ type: 'response.content_part.added', item_id: id, output_index: index, content_index: 0, part: { type: 'output_text', text: '', annotations: [] } });
    for (const delta of answer.text) events.push({ type: 'response.output_text.delta', item_id: id, output_index: index, content_index: 0, delta });
    events.push({ type: 'response.output_text.done', item_id: id, output_index: index, content_index: 0, text });
    const part = { type: 'output_text', text, annotations: [] };
    events.push({ type: 'response.content_part.done', item_id: id, output_index: index, content_index: 0, part });
    const item = { id, type: 'message', status: 'completed', role: 'assistant', content: [part] };
    events.push({ type: 'response.output_item.done', output_index: index, item });
    output.push(item);
  }
  for (const call of answer.toolCalls ?? []) {
    const id = who.itemId('fc');
    const index = output.length;
    const callId = call.callId ?? who.itemId('call');
    events.push({ type: 'response.output_item.added', output_index: index, item: { id, type: 'function_call', status: 'in_progress', call_id: callId, name: call.name, arguments: '' } });
    for (const delta of splitInTwo(call.arguments)) events.push({ type: 'response.function_call_arguments.delta', item_id: id, output_index: index, delta });
    events.push({ type: 'response.function_call_arguments.done', item_id: id, output_index: index, arguments: call.arguments });
    const item = { id, type: 'function_call', status: 'completed', call_id: callId, name: call.name, arguments: call.arguments };
    events.push({ type: 'response.output_item.done', output_index: index, item });
    output.push(item);
  }

  const u = answer.usage ?? { input: 12, cached: 0, output: 5, reasoning: 0 };
  const usage = {
    input_tokens: u.input,
    input_tokens_details: { cached_tokens: u.cached },
    output_tokens: u.output,
    output_tokens_details: { reasoning_tokens: u.reasoning },
    total_tokens: u.input + u.output,
  };
  const done = answer.incomplete === undefined;
  events.push({
    type: done ? 'response.completed' : 'response.incomplete',
    response: {
      ...base,
      status: done ? 'completed' : 'incomplete',
      incomplete_details: done ? null : { reason: answer.incomplete },
      output,
      usage,
    },
  });
  return events.map((event, i) => ({ ...event, sequence_number: i }));
}

/** SSE framing as the backend writes it: `event:` line, one `data:` line, blank line. */
export function sseFrame(event: StreamEvent): string {
  return `event: ${event.type}\ndata: ${JSON.stringify(event)}\n\n`;
}

function splitInTwo(text: string): string[] {
  if (text.length < 2) return [text];
  const half = Math.floor(text.length / 2);
  return [text.slice(0, half), text.slice(half)];
}
