import { ChatCompletionAccumulator } from './chat-completion-accumulator.js';
import type { TranslatedError } from './chat-types.js';
import type { JsonObject } from './json-guards.js';
import { ResponsesCollector } from './responses-collector.js';
import { ResponsesToChatStream, type ChatStreamOptions } from './responses-to-chat-stream.js';
import type { ResponsesEvent } from './responses-types.js';
import { serializeSse, type SseMessage } from './sse-transform.js';

/**
 * What a client gets from the backend's Responses stream, per endpoint and mode. Streaming
 * converters return SSE text per event; buffered ones fold the stream into one JSON answer.
 * Pure: no I/O, fed by sse-transform.ts.
 */
export interface StreamConverter {
  onEvent(message: SseMessage, data: ResponsesEvent | null): string;
  end(): string;
}

export interface BufferedConverter {
  onEvent(data: ResponsesEvent): void;
  /** The answer: status and JSON body (an OpenAI error envelope when the upstream failed). */
  result(): { status: number; body: JsonObject };
}

/** Responses streams as they are; `codex.*` events only for the Codex CLI's own route. */
export class PassThroughConverter implements StreamConverter {
  constructor(private readonly keepCodexEvents: boolean) {}

  onEvent(message: SseMessage, data: ResponsesEvent | null): string {
    const type = data?.type ?? message.event ?? '';
    if (!this.keepCodexEvents && type.startsWith('codex.')) return '';
    return serializeSse(message);
  }

  end(): string {
    return '';
  }
}

/** Responses events → chat.completion.chunk SSE, `data: [DONE]` after the last. */
export class ChatStreamConverter implements StreamConverter {
  private readonly translator: ResponsesToChatStream;
  private failed = false;

  constructor(options: ChatStreamOptions) {
    this.translator = new ResponsesToChatStream(options);
  }

  onEvent(_message: SseMessage, data: ResponsesEvent | null): string {
    if (data === null || this.failed) return '';
    let text = '';
    for (const out of this.translator.push(data)) {
      if (out.kind === 'error') {
        this.failed = true;
        return text + errorEvent(out.error);
      }
      text += `data: ${JSON.stringify(out.chunk)}\n\n`;
    }
    if (this.translator.finished && data.type !== 'response.failed') text += 'data: [DONE]\n\n';
    return text;
  }

  end(): string {
    if (this.translator.finished || this.failed) return '';
    return errorEvent({ message: 'The upstream stream ended before the response completed.', type: 'upstream_error', code: 'stream_incomplete' });
  }
}

/** A non-streaming chat client: the translated chunks folded into one chat.completion. */
export class ChatBufferedConverter implements BufferedConverter {
  private readonly translator: ResponsesToChatStream;
  private readonly accumulator = new ChatCompletionAccumulator();
  private error: TranslatedError | null = null;

  constructor(options: ChatStreamOptions) {
    this.translator = new ResponsesToChatStream(options);
  }

  onEvent(data: ResponsesEvent): void {
    for (const out of this.translator.push(data)) {
      if (out.kind === 'error') this.error ??= out.error;
      else this.accumulator.add(out.chunk);
    }
  }

  result(): { status: number; body: JsonObject } {
    if (this.error !== null) return errorResult(this.error);
    if (!this.translator.finished) return errorResult({ message: 'The upstream stream ended before the response completed.', type: 'upstream_error', code: 'stream_incomplete' });
    return { status: 200, body: { ...this.accumulator.result(this.translator.usage) } };
  }
}

/** A non-streaming Responses client: the completed response object. */
export class ResponsesBufferedConverter implements BufferedConverter {
  private readonly collector = new ResponsesCollector();

  onEvent(data: ResponsesEvent): void {
    this.collector.push(data);
  }

  result(): { status: number; body: JsonObject } {
    const collected = this.collector.result();
    return collected.ok ? { status: 200, body: collected.response } : errorResult(collected.error);
  }
}

/** The same error shape the proxy uses inside streams: readable by the OpenAI SDKs. */
function errorEvent(error: TranslatedError): string {
  const inner = { message: error.message, type: error.type, code: error.code, param: null };
  return `event: error\ndata: ${JSON.stringify({ type: 'error', code: inner.code, message: inner.message, param: null, error: inner })}\n\n`;
}

/** Failed upstream responses: the client's fault (400), a limit (429) or the upstream's (502). */
function errorResult(error: TranslatedError): { status: number; body: JsonObject } {
  const status =
    error.code === 'context_length_exceeded' || error.type === 'invalid_request_error' ? 400 : error.type === 'usage_limit_reached' || error.code === 'rate_limit_exceeded' ? 429 : 502;
  return { status, body: { error: { message: error.message, type: error.type, code: error.code, param: null } } };
}
