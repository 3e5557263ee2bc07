import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { createParser } from 'eventsource-parser';
import { expect } from 'vitest';

/**
 * Golden files: `UPDATE_GOLDEN=1 npx vitest run test/chatgpt` rewrites them from the current
 * output (review the diff before committing); otherwise the output must match them exactly.
 */
export function expectGolden(file: string, actual: unknown): void {
  const text = `${JSON.stringify(actual, null, 2)}\n`;
  if (process.env.UPDATE_GOLDEN === '1' || !existsSync(file)) {
    if (process.env.UPDATE_GOLDEN !== '1') throw new Error(`golden file ${file} is missing (run with UPDATE_GOLDEN=1)`);
    writeFileSync(file, text);
    return;
  }
  expect(JSON.parse(text)).toEqual(JSON.parse(readFileSync(file, 'utf8')));
}

/** The JSON `data` of every event in an SSE text, in order. */
export function parseSse(text: string): Array<Record<string, unknown> & { type: string }> {
  const events: Array<Record<string, unknown> & { type: string }> = [];
  const parser = createParser({
    onEvent: (message) => {
      if (message.data === '[DONE]') return;
      const data = JSON.parse(message.data) as Record<string, unknown>;
      events.push({ ...data, type: String(data.type ?? message.event ?? 'message') });
    },
  });
  parser.feed(text);
  return events;
}
