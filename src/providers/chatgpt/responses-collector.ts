import type { TranslatedError } from './chat-types.js';
import { arrayField, isObject, numberField, objectField, stringField, type JsonObject } from './json-guards.js';
import type { ResponsesEvent } from './responses-types.js';

export type CollectedResponse = { ok: true; response: JsonObject } | { ok: false; error: TranslatedError };

/**
 * Builds the one Response object a non-streaming /v1/responses client expects from the stream the
 * backend always sends. The final `response.completed` carries the response; when its `output` is
 * empty (the backend may leave it out with `store: false`), the items of `output_item.done`
 * events are used, in output order.
 */
export class ResponsesCollector {
  private readonly items: JsonObject[] = [];
  private final: JsonObject | null = null;
  private error: TranslatedError | null = null;

  push(event: ResponsesEvent): void {
    switch (event.type) {
      case 'response.output_item.done': {
        const item = objectField(event, 'item');
        if (item !== undefined) this.items[numberField(event, 'output_index') ?? this.items.length] = item;
        break;
      }
      case 'response.completed':
      case 'response.incomplete':
        this.final = objectField(event, 'response') ?? null;
        break;
      case 'response.failed': {
        const error = objectField(objectField(event, 'response') ?? {}, 'error');
        this.error = errorOf(error, 'The upstream response failed.');
        break;
      }
      case 'error':
        this.error = errorOf(objectField(event, 'error') ?? event, 'The upstream stream reported an error.');
        break;
      default:
        break;
    }
  }

  get done(): boolean {
    return this.final !== null || this.error !== null;
  }

  result(): CollectedResponse {
    if (this.error !== null) return { ok: false, error: this.error };
    if (this.final === null) return { ok: false, error: { message: 'The upstream stream ended before the response completed.', type: 'upstream_error', code: 'stream_incomplete' } };
    const output = arrayField(this.final, 'output');
    const response = output !== undefined && output.length > 0 ? this.final : { ...this.final, output: this.items.filter(isObject) };
    return { ok: true, response };
  }
}

function errorOf(source: JsonObject | undefined, fallback: string): TranslatedError {
  const error = source ?? {};
  return { message: stringField(error, 'message') ?? fallback, type: stringField(error, 'type') ?? 'upstream_error', code: stringField(error, 'code') ?? null };
}
