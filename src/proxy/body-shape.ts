import { invalidRequest } from '../shared/errors.js';
import type { Endpoint } from '../usage/usage-record.js';

/**
 * The top-level fields of a request body that no OpenAI-compatible upstream accepts in another
 * type, checked before admission and routing: a request that can only fail costs no upstream
 * call, no rate-limit points and no account's time. `stream` matters to the gateway itself, which
 * decides from it how to relay the answer, so it must mean the same to the upstream. Deeper
 * validation (message roles, content parts, tools) stays with the upstream and the adapters.
 */
export function checkBodyShape(endpoint: Endpoint, json: Readonly<Record<string, unknown>>): void {
  const stream = json.stream;
  if (stream !== undefined && stream !== null && typeof stream !== 'boolean') throw wrongType('stream', 'a boolean', stream);
  switch (endpoint) {
    case 'chat.completions': {
      const messages = json.messages;
      if (messages === undefined || messages === null) throw invalidRequest("Missing required parameter: 'messages'.", 'messages', 'missing_required_parameter');
      if (!Array.isArray(messages)) throw wrongType('messages', 'an array', messages);
      const index = messages.findIndex((message) => typeof message !== 'object' || message === null || Array.isArray(message));
      if (index !== -1) throw wrongType(`messages[${index}]`, 'an object', messages[index]);
      return;
    }
    case 'embeddings':
      if (json.input === undefined || json.input === null) throw invalidRequest("Missing required parameter: 'input'.", 'input', 'missing_required_parameter');
      if (typeof json.input !== 'string' && !Array.isArray(json.input)) throw wrongType('input', 'a string or an array', json.input);
      return;
    default:
      // Responses: `input` may be left out (previous_response_id, prompt templates).
      if (json.input !== undefined && json.input !== null && typeof json.input !== 'string' && !Array.isArray(json.input)) {
        throw wrongType('input', 'a string or an array', json.input);
      }
  }
}

function wrongType(param: string, expected: string, value: unknown) {
  const got = value === null ? 'null' : Array.isArray(value) ? 'an array' : typeof value;
  return invalidRequest(`Invalid type for '${param}': expected ${expected}, but got ${got}.`, param, 'invalid_type');
}
