import { describe, expect, it } from 'vitest';
import { markerOffsets } from '../../src/providers/sse-event-markers.js';

const at = (text: string, needle: string, from = 0) => Buffer.from(text).indexOf(needle, from);

describe('SSE event markers', () => {
  it('finds, in chat streams, errors, usage objects, [DONE] and finished choices, at their byte offsets', () => {
    // Multi-byte UTF-8 first: offsets are bytes, not characters.
    const text =
      'data: {"choices":[{"delta":{"content":"héllo ✓ 😀"},"finish_reason":null}],"usage":null}\n\n' +
      'data: {"choices":[{"delta":{},"finish_reason" : "stop"}],"usage":null}\n\n' +
      'data: {"choices":[],"usage" : {"prompt_tokens":1}}\n\n' +
      'event: error\ndata: {"error":{"message":"x"}}\n\n' +
      'data: [DONE]\n\n';
    const bytes = Buffer.from(text);
    expect(markerOffsets(bytes, true)).toEqual([
      at(text, '"finish_reason" : "stop"'),
      at(text, '"usage" : {'),
      at(text, 'error'),
      at(text, 'error', at(text, 'error') + 1),
      at(text, '[DONE]'),
    ]);
  });

  it('leaves out what every chat chunk carries: "usage":null and "finish_reason":null', () => {
    const text = 'data: {"choices":[{"delta":{"content":"usage finish_reason"},"finish_reason":null}],"usage":null}\n\n';
    expect(markerOffsets(Buffer.from(text), true)).toEqual([]);
  });

  it('finds, in Responses streams, errors and the terminal events', () => {
    const text =
      'event: response.output_text.delta\ndata: {"type":"response.output_text.delta","delta":"ünïcode"}\n\n' +
      'event: response.completed\ndata: {"type":"response.completed"}\n\n' +
      'event: response.failed\ndata: {"type":"response.failed","response":{"error":{}}}\n\n';
    const offsets = markerOffsets(Buffer.from(text), false);
    const completed = at(text, 'response.completed');
    const failed = at(text, 'response.failed');
    expect(offsets).toEqual([completed, at(text, 'response.completed', completed + 1), failed, at(text, 'response.failed', failed + 1), at(text, 'error')]);
  });
});
