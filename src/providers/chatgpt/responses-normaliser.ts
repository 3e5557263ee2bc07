import { invalidRequest } from '../../shared/errors.js';
import { DEFAULT_INSTRUCTIONS } from './chat-to-responses.js';
import { isObject, stringField, type JsonObject } from './json-guards.js';

/**
 * A client's Responses request (from /v1/responses or the Codex CLI's /backend-api/codex/responses)
 * → what the Codex backend accepts: `store: false`, `stream: true`, `instructions` present, no
 * parameters it rejects. Everything else passes through untouched (tools of every type, `include`,
 * `reasoning`, `prompt_cache_key`, `client_metadata`, encrypted reasoning items…).
 */
export interface NormalisedResponsesRequest {
  body: JsonObject;
  /** The client asked for a stream; otherwise the gateway collects the stream into one response. */
  stream: boolean;
  /** Parameters removed because the backend rejects them or ignores them with store: false. */
  dropped: string[];
  /** How many leading system/developer messages became `instructions`. */
  hoisted: number;
}

/** The backend answers 400 to these (output caps, sampling) or they need stored responses. */
export const UNSUPPORTED_RESPONSES_PARAMS = [
  'max_output_tokens', 'max_tokens', 'temperature', 'top_p', 'top_logprobs', 'truncation', 'service_tier',
  'metadata', 'user', 'safety_identifier', 'background', 'max_tool_calls', 'stream_options',
] as const;

export function normaliseResponsesRequest(raw: unknown, upstreamModel: string): NormalisedResponsesRequest {
  if (!isObject(raw)) throw invalidRequest('The request body must be a JSON object.');
  const body: JsonObject = { ...raw, model: upstreamModel };
  const dropped: string[] = [];
  for (const name of UNSUPPORTED_RESPONSES_PARAMS) {
    if (name in body) {
      dropped.push(name);
      delete body[name];
    }
  }
  const stream = raw.stream === true;
  body.store = false;
  body.stream = true;

  let input = normaliseInput(body.input);
  let hoisted = 0;
  const instructions = body.instructions;
  if (instructions === undefined || instructions === null || instructions === '') {
    // The Codex CLI sends its system prompt as developer messages and no `instructions`, which
    // the backend requires: the leading system/developer messages become the instructions.
    const texts: string[] = [];
    while (hoisted < input.length && isSystemMessage(input[hoisted])) texts.push(messageText(input[hoisted++]));
    input = input.slice(hoisted);
    body.instructions = texts.length > 0 ? texts.join('\n\n') : DEFAULT_INSTRUCTIONS;
  } else if (typeof instructions !== 'string') {
    throw invalidRequest("'instructions' must be a string.", 'instructions');
  }
  body.input = input;
  return { body, stream, dropped, hoisted };
}

/** `input` as a list of typed items: a string becomes one user message; messages get `type`. */
function normaliseInput(input: unknown): JsonObject[] {
  if (input === undefined || input === null) return [];
  if (typeof input === 'string') return [{ type: 'message', role: 'user', content: [{ type: 'input_text', text: input }] }];
  if (!Array.isArray(input)) throw invalidRequest("'input' must be a string or an array of items.", 'input');
  return input.map((item, i) => {
    if (!isObject(item)) throw invalidRequest(`input[${i}] must be an object.`, `input[${i}]`);
    if (item.type !== undefined && item.type !== 'message') return item;
    const role = stringField(item, 'role');
    if (role === undefined) throw invalidRequest(`input[${i}] needs a type or a role.`, `input[${i}]`);
    const content = typeof item.content === 'string' ? [{ type: role === 'assistant' ? 'output_text' : 'input_text', text: item.content }] : item.content;
    return { ...item, type: 'message', content };
  });
}

function isSystemMessage(item: JsonObject): boolean {
  return item.type === 'message' && (item.role === 'system' || item.role === 'developer');
}

function messageText(item: JsonObject): string {
  const content = item.content;
  if (!Array.isArray(content)) return '';
  return content.map((part) => (isObject(part) ? (stringField(part, 'text') ?? '') : '')).join('\n');
}
