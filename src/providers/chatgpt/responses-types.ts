import type { JsonObject } from './json-guards.js';

/**
 * The slice of the Responses API the Codex backend speaks that the gateway builds or reads.
 * Items are open records: the gateway forwards fields it does not know untouched.
 */
export type InputContentPart =
  | { type: 'input_text'; text: string }
  | { type: 'output_text'; text: string; annotations?: unknown[] }
  | { type: 'refusal'; refusal: string }
  | { type: 'input_image'; image_url?: string; file_id?: string; detail: 'auto' | 'low' | 'high' }
  | { type: 'input_file'; file_data?: string; file_id?: string; filename?: string };

export interface MessageItem {
  type: 'message';
  role: 'user' | 'assistant' | 'system' | 'developer';
  content: InputContentPart[];
}

export interface FunctionCallItem {
  type: 'function_call';
  call_id: string;
  name: string;
  arguments: string;
}

export interface FunctionCallOutputItem {
  type: 'function_call_output';
  call_id: string;
  output: string;
}

export type InputItem = MessageItem | FunctionCallItem | FunctionCallOutputItem;

export interface FunctionTool {
  type: 'function';
  name: string;
  description?: string;
  parameters?: JsonObject;
  strict: boolean;
}

export type ToolChoice = 'auto' | 'none' | 'required' | { type: 'function'; name: string };

export type TextFormat =
  | { type: 'text' }
  | { type: 'json_object' }
  | { type: 'json_schema'; name: string; schema: JsonObject; strict?: boolean; description?: string };

/** A request as the Codex backend accepts it: always streamed, never stored, instructions set. */
export interface BackendResponsesRequest {
  model: string;
  instructions: string;
  input: InputItem[];
  tools?: FunctionTool[];
  tool_choice?: ToolChoice;
  parallel_tool_calls?: boolean;
  reasoning?: { effort?: string; summary?: string };
  text?: { format?: TextFormat; verbosity?: string };
  include?: string[];
  prompt_cache_key?: string;
  store: false;
  stream: true;
}

/** Usage as the Responses API reports it in `response.completed`. */
export interface ResponsesUsage {
  input_tokens: number;
  input_tokens_details?: { cached_tokens?: number };
  output_tokens: number;
  output_tokens_details?: { reasoning_tokens?: number };
  total_tokens?: number;
}

/** One parsed SSE event of a Responses stream: its JSON `data` (which carries `type`). */
export type ResponsesEvent = JsonObject & { type: string };
