import { createParser, type EventSourceMessage, type EventSourceParser } from 'eventsource-parser';
import type { Endpoint, TokenUsage } from '../usage/usage-record.js';
import { lastEventEnd } from './sse-event-boundary.js';
import { errorCodeOf, isRecord, tokenUsage } from './token-usage.js';

/**
 * Sits between an upstream SSE body and the client: decides what to forward for each chunk and
 * reads usage on the way.
 *
 * Pass-through mode forwards the upstream bytes untouched, cut at event boundaries: a partial
 * event is held until its blank line arrives, so anything the gateway interleaves (keep-alive
 * comments, an error event) always lands between events, never inside one. Strip mode (a chat
 * client that did not ask for `include_usage`, while the gateway did) re-emits parsed events and
 * drops the usage-only chunk (`choices: []` + `usage`).
 */
export interface StreamTap {
  /** What to send to the client now for this upstream chunk (possibly nothing). */
  push(chunk: Buffer): Buffer | string | null;
  /** Upstream ended: whatever is still held. */
  end(): Buffer | string | null;
  readonly usage: TokenUsage | null;
  /** An error the upstream reported inside the stream (code or type), if any. */
  readonly errorCode: string | null;
  /**
   * The stream said its last word: `[DONE]` or a finished choice (chat), a terminal
   * `response.*` event (responses), or an error event. False after `end()` means the upstream
   * closed the stream early, though cleanly: the client must be told, not left with half an answer.
   */
  readonly complete: boolean;
}

const USAGE_OBJECT_RE = /"usage"\s*:\s*\{/;
/** A choice with a finish reason: the answer is whole even if `[DONE]` never comes (some servers omit it). */
const FINISHED_CHOICE_RE = /"finish_reason"\s*:\s*"/;
const RESPONSES_TERMINAL_RE = /"type"\s*:\s*"response\.(completed|incomplete|failed)"/;
const RESPONSES_TERMINAL = new Set(['response.completed', 'response.incomplete', 'response.failed']);

export class SseStreamTap implements StreamTap {
  usage: TokenUsage | null = null;
  errorCode: string | null = null;
  complete = false;
  private readonly decoder = new TextDecoder('utf-8');
  private readonly parser: EventSourceParser;
  private held: Buffer | null = null;
  /** Strip mode: serialized events waiting to be returned by the current push. */
  private out = '';

  constructor(
    private readonly endpoint: Endpoint,
    private readonly stripUsageChunk: boolean,
  ) {
    this.parser = createParser({ onEvent: (event) => this.onEvent(event) });
  }

  push(chunk: Buffer): Buffer | string | null {
    this.parser.feed(this.decoder.decode(chunk, { stream: true }));
    if (this.stripUsageChunk) return this.takeOut();
    const data = this.held === null ? chunk : Buffer.concat([this.held, chunk]);
    const end = lastEventEnd(data);
    if (end === -1) {
      this.held = data;
      return null;
    }
    this.held = end === data.length ? null : data.subarray(end);
    return end === data.length ? data : data.subarray(0, end);
  }

  end(): Buffer | string | null {
    const rest = this.decoder.decode();
    // A final event without its blank line still counts (as browsers' EventSource do not, but
    // usage matters more than pedantry here).
    this.parser.feed(`${rest}\n\n`);
    if (this.stripUsageChunk) return this.takeOut();
    const held = this.held;
    this.held = null;
    return held;
  }

  private takeOut(): string | null {
    if (this.out === '') return null;
    const out = this.out;
    this.out = '';
    return out;
  }

  private onEvent(event: EventSourceMessage): void {
    const keep = this.inspect(event);
    if (this.stripUsageChunk && keep) this.out += serializeEvent(event);
  }

  /** Reads usage and errors from one event; false when the event must not reach the client. */
  private inspect(event: EventSourceMessage): boolean {
    const data = event.data;
    if (event.event === 'error') {
      this.errorCode ??= errorCodeOf(parseJson(data)) ?? 'upstream_stream_error';
      this.complete = true;
      return true;
    }
    if (this.endpoint === 'chat.completions') {
      if (data === '[DONE]' || FINISHED_CHOICE_RE.test(data)) this.complete = true;
      if (!USAGE_OBJECT_RE.test(data)) {
        if (data.startsWith('{"error"')) {
          this.errorCode ??= errorCodeOf(parseJson(data)) ?? 'upstream_stream_error';
          this.complete = true;
        }
        return true;
      }
      const chunk = parseJson(data);
      if (!isRecord(chunk)) return true;
      this.usage = tokenUsage(chunk.usage) ?? this.usage;
      const usageOnly = Array.isArray(chunk.choices) && chunk.choices.length === 0;
      return !(this.stripUsageChunk && usageOnly);
    }
    const terminal = event.event !== undefined ? RESPONSES_TERMINAL.has(event.event) : RESPONSES_TERMINAL_RE.test(data);
    if (terminal) {
      this.complete = true;
      const payload = parseJson(data);
      if (isRecord(payload) && isRecord(payload.response)) {
        this.usage = tokenUsage(payload.response.usage) ?? this.usage;
        if (payload.type === 'response.failed') this.errorCode ??= errorCodeOf(payload.response) ?? 'response_failed';
      }
    }
    return true;
  }
}

function serializeEvent(event: EventSourceMessage): string {
  let text = '';
  if (event.event !== undefined) text += `event: ${event.event}\n`;
  if (event.id !== undefined) text += `id: ${event.id}\n`;
  const data = event.data;
  text += data.includes('\n') ? data.split('\n').map((line) => `data: ${line}\n`).join('') : `data: ${data}\n`;
  return `${text}\n`;
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}
