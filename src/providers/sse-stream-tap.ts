import { createParser, type EventSourceMessage, type EventSourceParser } from 'eventsource-parser';
import type { Endpoint, TokenUsage } from '../usage/usage-record.js';
import { markerOffsets } from './sse-event-markers.js';
import { eventStartBefore, lastEventEnd, nextEventEnd } from './sse-event-boundary.js';
import { errorCodeOf, isRecord, tokenUsage } from './token-usage.js';

/**
 * Sits between an upstream SSE body and the client: decides what to forward for each chunk and
 * reads usage on the way.
 *
 * The upstream bytes are forwarded untouched, cut at event boundaries: a partial event is held
 * until its blank line arrives, so anything the gateway interleaves (keep-alive comments, an
 * error event) always lands between events, never inside one. Strip mode (a chat client that did
 * not ask for `include_usage`, while the gateway did) leaves out the usage-only chunk
 * (`choices: []` + `usage`) and nothing else.
 *
 * Only events that can matter are parsed: those whose bytes hold a usage object, an error or a
 * Responses terminal event (see sse-event-markers.ts). The deltas that make up almost all of a
 * stream go through as bytes, which is most of what a relayed stream costs.
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
const CR = 0x0d;

export class SseStreamTap implements StreamTap {
  usage: TokenUsage | null = null;
  errorCode: string | null = null;
  complete = false;
  private readonly parser: EventSourceParser;
  private readonly chat: boolean;
  private held: Buffer | null = null;
  /** The verdict of the events parsed from the block being inspected: false = leave it out. */
  private keep = true;

  constructor(
    private readonly endpoint: Endpoint,
    private readonly stripUsageChunk: boolean,
  ) {
    this.chat = endpoint === 'chat.completions';
    this.parser = createParser({ onEvent: (event) => (this.keep = this.inspect(event) && this.keep) });
  }

  push(chunk: Buffer): Buffer | null {
    const data = this.held === null ? chunk : Buffer.concat([this.held, chunk]);
    const end = lastEventEnd(data);
    if (end === -1) {
      this.held = data;
      return null;
    }
    this.held = end === data.length ? null : data.subarray(end);
    return this.pass(end === data.length ? data : data.subarray(0, end));
  }

  end(): Buffer | null {
    const held = this.held;
    this.held = null;
    if (held === null) return null;
    // A final event without its blank line still counts (as browsers' EventSource do not, but
    // usage matters more than pedantry here); it is forwarded as it came.
    return this.inspectBlock(held, true) ? held : null;
  }

  /** Complete events: forwarded as they are, unless one must be left out. */
  private pass(events: Buffer): Buffer | null {
    const markers = markerOffsets(events, this.chat);
    if (markers.length === 0) return events;
    const hasCr = events.includes(CR);
    const kept: Buffer[] = [];
    let from = 0;
    let lastEnd = -1;
    for (const marker of markers) {
      if (marker < lastEnd) continue;
      // Only the event around a marker is parsed; the ones around it go through as bytes.
      const start = eventStartBefore(events, marker, hasCr);
      const end = nextEventEnd(events, marker, hasCr);
      lastEnd = end;
      if (this.inspectBlock(events.subarray(start, end), false)) continue;
      if (start > from) kept.push(events.subarray(from, start));
      from = end;
    }
    if (from === 0) return events;
    if (from < events.length) kept.push(events.subarray(from));
    return kept.length === 0 ? null : kept.length === 1 ? kept[0] : Buffer.concat(kept);
  }

  /** Reads one event block; false when it must not reach the client. */
  private inspectBlock(block: Buffer, unterminated: boolean): boolean {
    if (unterminated && markerOffsets(block, this.chat).length === 0) return true;
    this.keep = true;
    this.parser.feed(unterminated ? `${block.toString('utf8')}\n\n` : block.toString('utf8'));
    return this.keep;
  }

  /** Reads usage and errors from one event; false when the event must not reach the client. */
  private inspect(event: EventSourceMessage): boolean {
    const data = event.data;
    if (event.event === 'error') {
      this.errorCode ??= errorCodeOf(parseJson(data)) ?? 'upstream_stream_error';
      this.complete = true;
      return true;
    }
    if (this.chat) {
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

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}
