import { createParser, type EventSourceMessage } from 'eventsource-parser';

/**
 * Byte-level SSE plumbing around the pure converters: parse an upstream SSE body event by event
 * (UTF-8 safe across chunk boundaries) and either yield what the converter makes of each chunk's
 * events (streaming clients: nothing is held back beyond an incomplete event) or just consume it
 * (buffered clients).
 */
export type SseMessage = EventSourceMessage;

export async function* transformSse(
  body: AsyncIterable<Buffer>,
  onEvent: (message: SseMessage) => string,
  onEnd: () => string,
): AsyncGenerator<Buffer> {
  const decoder = new TextDecoder('utf-8');
  let out = '';
  const parser = createParser({ onEvent: (message) => (out += onEvent(message)) });
  for await (const chunk of body) {
    parser.feed(decoder.decode(chunk, { stream: true }));
    if (out !== '') {
      const text = out;
      out = '';
      yield Buffer.from(text, 'utf8');
    }
  }
  // A last event without its blank line still counts.
  parser.feed(`${decoder.decode()}\n\n`);
  out += onEnd();
  if (out !== '') yield Buffer.from(out, 'utf8');
}

export async function consumeSse(body: AsyncIterable<Buffer>, onEvent: (message: SseMessage) => void): Promise<void> {
  const decoder = new TextDecoder('utf-8');
  const parser = createParser({ onEvent });
  for await (const chunk of body) parser.feed(decoder.decode(chunk, { stream: true }));
  parser.feed(`${decoder.decode()}\n\n`);
}

/** One event as SSE text, `event:` line included when it had one (data kept byte for byte). */
export function serializeSse(message: SseMessage): string {
  let text = message.event === undefined ? '' : `event: ${message.event}\n`;
  if (message.id !== undefined) text += `id: ${message.id}\n`;
  for (const line of message.data.split('\n')) text += `data: ${line}\n`;
  return `${text}\n`;
}

export function parseEventData(message: SseMessage): (Record<string, unknown> & { type: string }) | null {
  try {
    const json: unknown = JSON.parse(message.data);
    if (typeof json !== 'object' || json === null || Array.isArray(json)) return null;
    const data = json as Record<string, unknown>;
    const type = typeof data.type === 'string' ? data.type : message.event;
    return type === undefined ? null : { ...data, type };
  } catch {
    return null;
  }
}
