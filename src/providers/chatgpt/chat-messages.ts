import { invalidRequest } from '../../shared/errors.js';
import { arrayField, isObject, objectField, stringField, type JsonObject } from './json-guards.js';
import type { InputContentPart, InputItem } from './responses-types.js';

/**
 * Chat `messages` → Responses `instructions` + `input` items. The leading system/developer
 * messages become `instructions` (the Codex backend requires them and treats them as the system
 * prompt); later ones stay in place as developer messages. Assistant `tool_calls` become
 * `function_call` items and `tool` messages `function_call_output` items, joined by `call_id`.
 */
export interface TranslatedMessages {
  instructions: string | null;
  input: InputItem[];
}

export function translateMessages(messages: unknown): TranslatedMessages {
  if (!Array.isArray(messages) || messages.length === 0) {
    throw invalidRequest("'messages' must be a non-empty array.", 'messages');
  }
  const leading: string[] = [];
  const input: InputItem[] = [];
  messages.forEach((raw, index) => {
    const param = `messages[${index}]`;
    if (!isObject(raw)) throw invalidRequest(`${param} must be an object.`, param);
    const role = stringField(raw, 'role');
    switch (role) {
      case 'system':
      case 'developer': {
        const text = textOf(raw, param);
        if (input.length === 0) leading.push(text);
        else input.push({ type: 'message', role: 'developer', content: [{ type: 'input_text', text }] });
        break;
      }
      case 'user':
        input.push({ type: 'message', role: 'user', content: userContent(raw.content, param) });
        break;
      case 'assistant':
        input.push(...assistantItems(raw, param));
        break;
      case 'tool': {
        const callId = stringField(raw, 'tool_call_id');
        if (callId === undefined || callId === '') throw invalidRequest(`${param}.tool_call_id is required for tool messages.`, `${param}.tool_call_id`);
        input.push({ type: 'function_call_output', call_id: callId, output: textOf(raw, param) });
        break;
      }
      default:
        throw invalidRequest(`${param}.role '${String(role)}' is not supported (use system, developer, user, assistant or tool).`, `${param}.role`);
    }
  });
  return { instructions: leading.length > 0 ? leading.join('\n\n') : null, input };
}

function userContent(content: unknown, param: string): InputContentPart[] {
  if (typeof content === 'string') return [{ type: 'input_text', text: content }];
  if (!Array.isArray(content)) throw invalidRequest(`${param}.content must be a string or an array of parts.`, `${param}.content`);
  return content.map((part, i) => userPart(part, `${param}.content[${i}]`));
}

function userPart(part: unknown, param: string): InputContentPart {
  if (!isObject(part)) throw invalidRequest(`${param} must be an object.`, param);
  switch (part.type) {
    case 'text':
      return { type: 'input_text', text: stringField(part, 'text') ?? '' };
    case 'image_url': {
      // `image_url` is `{url, detail}` in the spec; some clients send the URL string itself.
      const image = objectField(part, 'image_url');
      const url = image === undefined ? stringField(part, 'image_url') : stringField(image, 'url');
      if (url === undefined || url === '') throw invalidRequest(`${param}.image_url.url is required.`, `${param}.image_url`);
      const detail = image === undefined ? undefined : stringField(image, 'detail');
      return { type: 'input_image', image_url: url, detail: detail === 'low' || detail === 'high' ? detail : 'auto' };
    }
    case 'file': {
      const file = objectField(part, 'file') ?? {};
      return dropUndefined({
        type: 'input_file',
        file_data: stringField(file, 'file_data'),
        file_id: stringField(file, 'file_id'),
        filename: stringField(file, 'filename'),
      });
    }
    default:
      throw invalidRequest(`${param}.type '${String(part.type)}' is not supported on ChatGPT accounts (use text, image_url or file).`, `${param}.type`);
  }
}

function assistantItems(message: JsonObject, param: string): InputItem[] {
  const items: InputItem[] = [];
  const content = assistantContent(message.content, param);
  if (content.length > 0) items.push({ type: 'message', role: 'assistant', content });
  const calls = arrayField(message, 'tool_calls') ?? [];
  calls.forEach((call, i) => {
    const at = `${param}.tool_calls[${i}]`;
    const fn = isObject(call) ? objectField(call, 'function') : undefined;
    const id = isObject(call) ? stringField(call, 'id') : undefined;
    const name = fn === undefined ? undefined : stringField(fn, 'name');
    if (id === undefined || fn === undefined || name === undefined) {
      throw invalidRequest(`${at} needs an id and function.name.`, at);
    }
    items.push({ type: 'function_call', call_id: id, name, arguments: stringField(fn, 'arguments') ?? '' });
  });
  return items;
}

function assistantContent(content: unknown, param: string): InputContentPart[] {
  if (content === null || content === undefined) return [];
  if (typeof content === 'string') return content === '' ? [] : [{ type: 'output_text', text: content }];
  if (!Array.isArray(content)) throw invalidRequest(`${param}.content must be a string, an array of parts or null.`, `${param}.content`);
  return content.flatMap((part): InputContentPart[] => {
    if (!isObject(part)) return [];
    if (part.type === 'refusal') return [{ type: 'refusal', refusal: stringField(part, 'refusal') ?? '' }];
    const text = stringField(part, 'text');
    return text === undefined || text === '' ? [] : [{ type: 'output_text', text }];
  });
}

/** The text of a system/developer/tool message: a string or text parts (joined). */
function textOf(message: JsonObject, param: string): string {
  const content = message.content;
  if (typeof content === 'string') return content;
  if (content === null || content === undefined) return '';
  if (!Array.isArray(content)) throw invalidRequest(`${param}.content must be a string or an array of text parts.`, `${param}.content`);
  return content.map((part) => (isObject(part) ? (stringField(part, 'text') ?? '') : '')).join('');
}

function dropUndefined<T extends object>(object: T): T {
  return Object.fromEntries(Object.entries(object).filter(([, v]) => v !== undefined)) as T;
}
