/** Reads a fetch response body, keeping each read's text and arrival time (for timing tests). */
export interface TimedRead {
  at: number;
  text: string;
}

export async function readTimed(response: Response): Promise<TimedRead[]> {
  const reads: TimedRead[] = [];
  const decoder = new TextDecoder();
  const reader = response.body?.getReader();
  if (reader === undefined) return reads;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    reads.push({ at: performance.now(), text: decoder.decode(value, { stream: true }) });
  }
  return reads;
}

export function chatBody(extra: Record<string, unknown> = {}): string {
  return JSON.stringify({ model: 'gpt-test', messages: [{ role: 'user', content: 'hi' }], stream: true, ...extra });
}

export const JSON_HEADERS = { 'content-type': 'application/json' };
