import { invalidRequest } from '../../shared/errors.js';
import { isObject, objectField, stringField } from './json-guards.js';
import type { FunctionTool, TextFormat, ToolChoice } from './responses-types.js';

/**
 * Chat `tools`, `tool_choice` and `response_format` → their Responses spellings. Chat nests a
 * function under `function`, Responses flattens it; Responses defaults `strict` to true where
 * chat defaults it to false, so `strict` is always written out (client schemas are rarely strict-
 * compatible, and a silent default flip would make the backend reject them).
 */
export function translateTools(tools: unknown): FunctionTool[] | undefined {
  if (tools === undefined || tools === null) return undefined;
  if (!Array.isArray(tools)) throw invalidRequest("'tools' must be an array.", 'tools');
  return tools.map((tool, i) => {
    const param = `tools[${i}]`;
    if (!isObject(tool) || tool.type !== 'function') {
      throw invalidRequest(`${param}: only function tools are supported on ChatGPT accounts.`, `${param}.type`);
    }
    const fn = objectField(tool, 'function');
    const name = fn === undefined ? undefined : stringField(fn, 'name');
    if (fn === undefined || name === undefined || name === '') throw invalidRequest(`${param}.function.name is required.`, `${param}.function.name`);
    const out: FunctionTool = { type: 'function', name, strict: fn.strict === true };
    const description = stringField(fn, 'description');
    if (description !== undefined) out.description = description;
    const parameters = objectField(fn, 'parameters');
    out.parameters = parameters ?? { type: 'object', properties: {} };
    return out;
  });
}

export function translateToolChoice(choice: unknown): ToolChoice | undefined {
  if (choice === undefined || choice === null) return undefined;
  if (choice === 'auto' || choice === 'none' || choice === 'required') return choice;
  if (isObject(choice) && choice.type === 'function') {
    const fn = objectField(choice, 'function');
    const name = fn === undefined ? stringField(choice, 'name') : stringField(fn, 'name');
    if (name !== undefined && name !== '') return { type: 'function', name };
  }
  throw invalidRequest("'tool_choice' must be 'auto', 'none', 'required' or {type: 'function', function: {name}}.", 'tool_choice');
}

export function translateResponseFormat(format: unknown): TextFormat | undefined {
  if (format === undefined || format === null) return undefined;
  if (!isObject(format)) throw invalidRequest("'response_format' must be an object.", 'response_format');
  switch (format.type) {
    case 'text':
      return { type: 'text' };
    case 'json_object':
      return { type: 'json_object' };
    case 'json_schema': {
      const spec = objectField(format, 'json_schema');
      if (spec === undefined) throw invalidRequest("'response_format.json_schema' is required.", 'response_format.json_schema');
      const out: TextFormat = {
        type: 'json_schema',
        name: stringField(spec, 'name') ?? 'response',
        schema: objectField(spec, 'schema') ?? {},
      };
      if (typeof spec.strict === 'boolean') out.strict = spec.strict;
      const description = stringField(spec, 'description');
      if (description !== undefined) out.description = description;
      return out;
    }
    default:
      throw invalidRequest(`'response_format.type' '${String(format.type)}' is not supported (use text, json_object or json_schema).`, 'response_format.type');
  }
}
