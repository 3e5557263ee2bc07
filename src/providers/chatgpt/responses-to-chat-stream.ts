import type { ChatCompletionChunk, ChatDelta, ChatUsage, FinishReason, TranslatedError } from './chat-types.js';
import { isObject, numberField, objectField, stringField, type JsonObject } from './json-guards.js';
import type { ResponsesEvent } from './responses-types.js';
import { chatUsageFromResponses } from './usage-mapping.js';

export type ChatStreamOutput = { kind: 'chunk'; chunk: ChatCompletionChunk } | { kind: 'error'; error: TranslatedError };

export interface ChatStreamOptions {
  /** The model name the client asked for (what its chunks carry). */
  model: string;
  /** `stream_options.include_usage`: add the usage chunk and `usage: null` on the others. */
  includeUsage: boolean;
  /** Epoch seconds, used only if the upstream never says when the response was created. */
  created: number;
  /** Used only if the upstream never names its response. */
  fallbackId: string;
}

interface ToolCallState {
  index: number;
  /** Whether any argument text was sent, so a `done` event does not repeat it. */
  sentArguments: boolean;
}

/**
 * Responses stream events → Chat Completions chunks, one event at a time. A plain state machine
 * (no I/O): ids come from the upstream response, each function call gets the next `tool_calls`
 * index in the order the backend opens them, and the finish reason follows what happened.
 */
export class ResponsesToChatStream {
  private id: string | null = null;
  private created: number;
  private started = false;
  /** Function calls by item id and by `#output_index` (either may be missing from an event). */
  private readonly tools = new Map<string, ToolCallState>();
  private toolCount = 0;
  private finishedWith: FinishReason | null = null;
  private usageSeen: ChatUsage | null = null;

  constructor(private readonly options: ChatStreamOptions) {
    this.created = options.created;
  }

  get finished(): boolean {
    return this.finishedWith !== null;
  }

  /** The usage the upstream reported, whether or not the client asked for it. */
  get usage(): ChatUsage | null {
    return this.usageSeen;
  }

  get responseId(): string | null {
    return this.id;
  }

  push(event: ResponsesEvent): ChatStreamOutput[] {
    const out: ChatStreamOutput[] = [];
    switch (event.type) {
      case 'response.created':
      case 'response.in_progress':
        this.adopt(objectField(event, 'response'));
        this.start(out);
        break;
      case 'response.output_text.delta':
        this.emit(out, { content: stringField(event, 'delta') ?? '' });
        break;
      case 'response.refusal.delta':
        this.emit(out, { refusal: stringField(event, 'delta') ?? '' });
        break;
      case 'response.output_item.added':
      case 'response.output_item.done':
        this.onItem(out, event, objectField(event, 'item'));
        break;
      case 'response.function_call_arguments.delta':
        this.onArguments(out, event, stringField(event, 'delta') ?? '', false);
        break;
      case 'response.function_call_arguments.done':
        this.onArguments(out, event, stringField(event, 'arguments') ?? '', true);
        break;
      case 'response.completed':
      case 'response.incomplete':
        this.onFinished(out, objectField(event, 'response'));
        break;
      case 'response.failed': {
        const error = objectField(objectField(event, 'response') ?? {}, 'error');
        out.push({ kind: 'error', error: toError(error, 'The upstream response failed.') });
        break;
      }
      case 'error':
        out.push({ kind: 'error', error: toError(objectField(event, 'error') ?? event, 'The upstream stream reported an error.') });
        break;
      default:
        // Reasoning, content-part and `codex.*` events have no chat counterpart.
        break;
    }
    return out;
  }

  private adopt(response: JsonObject | undefined): void {
    if (response === undefined) return;
    const id = stringField(response, 'id');
    if (id !== undefined && this.id === null) this.id = chatId(id);
    const created = numberField(response, 'created_at');
    if (created !== undefined) this.created = Math.floor(created);
  }

  private start(out: ChatStreamOutput[]): void {
    if (this.started) return;
    this.started = true;
    out.push(this.chunk({ role: 'assistant', content: '' }, null));
  }

  private emit(out: ChatStreamOutput[], delta: ChatDelta): void {
    this.start(out);
    out.push(this.chunk(delta, null));
  }

  private onItem(out: ChatStreamOutput[], event: ResponsesEvent, item: JsonObject | undefined): void {
    if (item === undefined || item.type !== 'function_call') return;
    let state = this.findTool(event, item);
    if (state === undefined) {
      state = { index: this.toolCount++, sentArguments: false };
      for (const key of itemKeys(event, item)) this.tools.set(key, state);
      const callId = stringField(item, 'call_id') ?? stringField(item, 'id') ?? `call_${state.index}`;
      this.emit(out, {
        tool_calls: [{ index: state.index, id: callId, type: 'function', function: { name: stringField(item, 'name') ?? '', arguments: '' } }],
      });
    }
    // A backend that sends a finished call without argument deltas still delivers the arguments.
    if (event.type === 'response.output_item.done') this.onArguments(out, event, stringField(item, 'arguments') ?? '', true);
  }

  private onArguments(out: ChatStreamOutput[], event: ResponsesEvent, text: string, complete: boolean): void {
    const state = this.findTool(event, undefined);
    if (state === undefined || text === '' || (complete && state.sentArguments)) return;
    state.sentArguments = true;
    this.emit(out, { tool_calls: [{ index: state.index, function: { arguments: text } }] });
  }

  private findTool(event: ResponsesEvent, item: JsonObject | undefined): ToolCallState | undefined {
    for (const key of itemKeys(event, item)) {
      const state = this.tools.get(key);
      if (state !== undefined) return state;
    }
    return undefined;
  }

  private onFinished(out: ChatStreamOutput[], response: JsonObject | undefined): void {
    if (this.finishedWith !== null) return;
    this.adopt(response);
    this.start(out);
    const incomplete = response === undefined ? undefined : objectField(response, 'incomplete_details');
    const reason = incomplete === undefined ? undefined : stringField(incomplete, 'reason');
    this.finishedWith =
      reason === 'max_output_tokens' ? 'length' : reason === 'content_filter' ? 'content_filter' : this.toolCount > 0 ? 'tool_calls' : 'stop';
    this.usageSeen = response === undefined ? null : chatUsageFromResponses(response.usage);
    out.push(this.chunk({}, this.finishedWith));
    if (this.options.includeUsage) {
      out.push({ kind: 'chunk', chunk: { ...this.base(), choices: [], usage: this.usageSeen } });
    }
  }

  private chunk(delta: ChatDelta, finish: FinishReason | null): ChatStreamOutput {
    const chunk: ChatCompletionChunk = { ...this.base(), choices: [{ index: 0, delta, logprobs: null, finish_reason: finish }] };
    if (this.options.includeUsage) chunk.usage = null;
    return { kind: 'chunk', chunk };
  }

  private base(): Omit<ChatCompletionChunk, 'choices'> {
    return { id: this.id ?? this.options.fallbackId, object: 'chat.completion.chunk', created: this.created, model: this.options.model };
  }
}

/** The chat id of a response: `resp_abc` → `chatcmpl-abc`, so logs can be matched both ways. */
export function chatId(responseId: string): string {
  return `chatcmpl-${responseId.replace(/^resp_/, '')}`;
}

/** Events name their item by `item_id` and/or `output_index`; either can be missing. */
function itemKeys(event: ResponsesEvent, item: JsonObject | undefined): string[] {
  const keys: string[] = [];
  const id = (item && stringField(item, 'id')) ?? stringField(event, 'item_id');
  if (id !== undefined) keys.push(id);
  const index = numberField(event, 'output_index');
  if (index !== undefined) keys.push(`#${index}`);
  return keys;
}

function toError(error: JsonObject | undefined, fallback: string): TranslatedError {
  const source = isObject(error) ? error : {};
  return {
    message: stringField(source, 'message') ?? fallback,
    type: stringField(source, 'type') ?? 'upstream_error',
    code: stringField(source, 'code') ?? null,
  };
}
