import OpenAI, { APIConnectionError, APIError } from 'openai';

/**
 * One client request through the `openai` SDK, reduced to what the fault suite judges: it
 * succeeded with the whole answer, it got an HTTP error (before any byte of an answer), it ended
 * with an SSE error event after the answer had started, or it broke some other way (connection
 * cut, timeout, a stream that ended early without saying so). The last is never acceptable.
 */
export type Outcome =
  | { kind: 'ok'; shape: CallShape; text: string; requestId: string | null }
  | { kind: 'http_error'; shape: CallShape; status: number; error: unknown }
  | { kind: 'stream_error'; shape: CallShape; text: string; error: unknown; requestId: string | null }
  | { kind: 'broken'; shape: CallShape; message: string };

export type CallShape = 'chat' | 'chat-stream' | 'responses' | 'responses-stream';

export const CALL_SHAPES: readonly CallShape[] = ['chat', 'chat-stream', 'responses', 'responses-stream'];

/** What every fake upstream answers: "Hello from <its name>". */
const FULL_REPLY = /^Hello from [\w-]+$/;

const messages = [{ role: 'user' as const, content: 'hi' }];

export async function callGateway(client: OpenAI, model: string, shape: CallShape): Promise<Outcome> {
  let text = '';
  let requestId: string | null = null;
  let started = false;
  try {
    switch (shape) {
      case 'chat': {
        const { data, response } = await client.chat.completions.create({ model, messages }).withResponse();
        requestId = response.headers.get('x-request-id');
        text = data.choices[0]?.message.content ?? '';
        break;
      }
      case 'chat-stream': {
        const { data, response } = await client.chat.completions.create({ model, messages, stream: true }).withResponse();
        requestId = response.headers.get('x-request-id');
        started = true;
        for await (const chunk of data) text += chunk.choices[0]?.delta.content ?? '';
        break;
      }
      case 'responses': {
        const { data, response } = await client.responses.create({ model, input: 'hi' }).withResponse();
        requestId = response.headers.get('x-request-id');
        text = data.output_text;
        break;
      }
      case 'responses-stream': {
        const { data, response } = await client.responses.create({ model, input: 'hi', stream: true }).withResponse();
        requestId = response.headers.get('x-request-id');
        started = true;
        let completed = false;
        for await (const event of data) {
          if (event.type === 'response.output_text.delta') text += event.delta;
          if (event.type === 'response.completed') completed = true;
        }
        if (!completed) return { kind: 'broken', shape, message: `stream ended without response.completed after '${text}'` };
        break;
      }
    }
  } catch (error) {
    if (error instanceof APIConnectionError) return { kind: 'broken', shape, message: `${error.name}: ${error.message}` };
    if (error instanceof APIError && error.status !== undefined) return { kind: 'http_error', shape, status: error.status, error: error.error };
    // The SDK throws a status-less APIError for an SSE event carrying `error`.
    if (error instanceof APIError && started) return { kind: 'stream_error', shape, text, error: error.error, requestId };
    return { kind: 'broken', shape, message: error instanceof Error ? `${error.name}: ${error.message}` : String(error) };
  }
  // A stream that ended early without an error event would look like success to a client.
  if (!FULL_REPLY.test(text)) return { kind: 'broken', shape, message: `incomplete answer '${text}'` };
  return { kind: 'ok', shape, text, requestId };
}

/** True when `value` is the OpenAI error object: message, type, code and param all present. */
export function isErrorObject(value: unknown): boolean {
  if (typeof value !== 'object' || value === null) return false;
  const error = value as Record<string, unknown>;
  return typeof error.message === 'string' && typeof error.type === 'string' && 'code' in error && 'param' in error;
}

export type OutcomeOf<K extends Outcome['kind']> = Extract<Outcome, { kind: K }>;

/** Outcomes grouped by kind, for assertions that print what went wrong. */
export function tally(outcomes: readonly Outcome[]): { [K in Outcome['kind']]: OutcomeOf<K>[] } {
  return {
    ok: outcomes.filter((o): o is OutcomeOf<'ok'> => o.kind === 'ok'),
    http_error: outcomes.filter((o): o is OutcomeOf<'http_error'> => o.kind === 'http_error'),
    stream_error: outcomes.filter((o): o is OutcomeOf<'stream_error'> => o.kind === 'stream_error'),
    broken: outcomes.filter((o): o is OutcomeOf<'broken'> => o.kind === 'broken'),
  };
}
