import type { ChatCompletionCreateParamsStreaming, ChatCompletionMessageParam, ChatCompletionTool } from 'openai/resources/chat/completions';
import type { Answerer } from '../fakes/codex-backend.js';

/**
 * Requests shaped like OpenClaw 2026.9's (`"api": "openai-completions"`, see CLIENTS.md): always
 * streamed with include_usage, ~11 function tools, tool_choice auto, max_completion_tokens, a
 * large system prompt, user content as a string and as text parts.
 */
const TOOL_NAMES = ['read', 'write', 'edit', 'exec', 'process', 'web_search', 'web_fetch', 'browser', 'message', 'sessions_list', 'get_weather'];

export const OPENCLAW_TOOLS: ChatCompletionTool[] = TOOL_NAMES.map((name) => ({
  type: 'function',
  function: {
    name,
    description: `OpenClaw tool ${name}`,
    parameters: { type: 'object', properties: { city: { type: 'string' }, path: { type: 'string' } }, additionalProperties: true },
  },
}));

export const OPENCLAW_SYSTEM = `You are a personal assistant running inside OpenClaw.\n${'## Tooling\nUse tools when useful. '.repeat(1200)}`;

export function openclawRequest(model: string, messages: ChatCompletionMessageParam[]): ChatCompletionCreateParamsStreaming {
  return {
    model,
    messages: [{ role: 'system', content: OPENCLAW_SYSTEM }, ...messages],
    tools: OPENCLAW_TOOLS,
    tool_choice: 'auto',
    stream: true,
    stream_options: { include_usage: true },
    max_completion_tokens: 4096,
  };
}

/** The fake backend's side of a tool round: a call for a fresh question, text after tool output. */
export const toolRoundAnswerer: Answerer = (body) => {
  const input = body.input as Array<Record<string, unknown>>;
  const last = input[input.length - 1];
  if (last?.type === 'function_call_output') {
    const outputs = input.filter((item) => item.type === 'function_call_output').map((item) => String(item.output));
    return { text: ['The weather: ', outputs.join(' / ')], usage: { input: 900, cached: 512, output: 12, reasoning: 4 } };
  }
  if (Array.isArray(body.tools) && body.tools.length > 0) {
    return {
      toolCalls: [
        { name: 'get_weather', arguments: '{"city":"Paris"}' },
        { name: 'get_weather', arguments: '{"city":"Rome"}' },
      ],
      usage: { input: 800, cached: 0, output: 30, reasoning: 16 },
    };
  }
  return { text: ['No tools, just text.'] };
};
