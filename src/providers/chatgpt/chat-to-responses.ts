import { invalidRequest } from '../../shared/errors.js';
import { isObject, numberField, objectField, stringField } from './json-guards.js';
import { translateMessages } from './chat-messages.js';
import { translateResponseFormat, translateToolChoice, translateTools } from './chat-tools.js';
import type { BackendResponsesRequest } from './responses-types.js';

/**
 * A Chat Completions request → the Responses request the Codex backend accepts. Pure: the same
 * body always yields the same request (golden-tested in test/fixtures/chatgpt).
 */
export interface ChatTranslation {
  request: BackendResponsesRequest;
  /** The client asked for a stream (the upstream call streams either way). */
  stream: boolean;
  /** `stream_options.include_usage`: whether the client gets the final usage chunk. */
  includeUsage: boolean;
  /** Body fields the backend does not take and that were left out (for debug logs). */
  dropped: string[];
}

/** Used when a conversation has no system message: the backend refuses a request without instructions. */
export const DEFAULT_INSTRUCTIONS = 'You are a helpful assistant.';

/**
 * Everything else is left out: output caps (`max_tokens`, `max_completion_tokens`) and sampling
 * settings (`temperature`, `top_p`) are rejected by the backend outright, and `stop`, `seed`,
 * penalties, `logprobs`, `user`, `metadata`, `store` have no counterpart with `store: false`.
 * Dropping them (rather than failing) is what OpenClaw and OpenCode need: they always send a cap.
 */
/** Fields read by the translation itself. */
const HANDLED = new Set([
  'model', 'messages', 'stream', 'stream_options', 'tools', 'tool_choice', 'parallel_tool_calls',
  'response_format', 'reasoning_effort', 'verbosity', 'prompt_cache_key', 'n',
]);

export function chatToResponsesRequest(body: unknown, upstreamModel: string): ChatTranslation {
  if (!isObject(body)) throw invalidRequest('The request body must be a JSON object.');
  const n = numberField(body, 'n');
  if (n !== undefined && n !== 1) throw invalidRequest("'n' other than 1 is not supported on ChatGPT accounts.", 'n');

  const { instructions, input } = translateMessages(body.messages);
  const request: BackendResponsesRequest = {
    model: upstreamModel,
    instructions: instructions ?? DEFAULT_INSTRUCTIONS,
    input,
    store: false,
    stream: true,
  };
  const tools = translateTools(body.tools);
  if (tools !== undefined && tools.length > 0) request.tools = tools;
  const toolChoice = translateToolChoice(body.tool_choice);
  if (toolChoice !== undefined) request.tool_choice = toolChoice;
  if (typeof body.parallel_tool_calls === 'boolean') request.parallel_tool_calls = body.parallel_tool_calls;

  const effort = stringField(body, 'reasoning_effort');
  if (effort !== undefined) request.reasoning = { effort };
  const format = translateResponseFormat(body.response_format);
  const verbosity = stringField(body, 'verbosity');
  if (format !== undefined || verbosity !== undefined) {
    request.text = {};
    if (format !== undefined) request.text.format = format;
    if (verbosity !== undefined) request.text.verbosity = verbosity;
  }
  const cacheKey = stringField(body, 'prompt_cache_key');
  if (cacheKey !== undefined && cacheKey !== '') request.prompt_cache_key = cacheKey;

  const streamOptions = objectField(body, 'stream_options');
  const dropped = Object.keys(body).filter((key) => !HANDLED.has(key));
  return {
    request,
    stream: body.stream === true,
    includeUsage: streamOptions?.include_usage === true,
    dropped,
  };
}
