import type { TokenUsage } from '../../usage/usage-record.js';
import type { ChatUsage } from './chat-types.js';
import { isObject, numberField, objectField } from './json-guards.js';

/**
 * Responses usage (`input_tokens`, `input_tokens_details.cached_tokens`, `output_tokens`,
 * `output_tokens_details.reasoning_tokens`) in the two shapes the gateway needs: the chat
 * completion `usage` object clients read, and the usage record's token counts.
 */
export function tokenUsageFromResponses(usage: unknown): TokenUsage | null {
  if (!isObject(usage)) return null;
  const input = numberField(usage, 'input_tokens');
  const output = numberField(usage, 'output_tokens');
  if (input === undefined || output === undefined) return null;
  const inputDetails = objectField(usage, 'input_tokens_details');
  const outputDetails = objectField(usage, 'output_tokens_details');
  return {
    inputTokens: input,
    cachedInputTokens: (inputDetails && numberField(inputDetails, 'cached_tokens')) ?? 0,
    outputTokens: output,
    reasoningTokens: (outputDetails && numberField(outputDetails, 'reasoning_tokens')) ?? 0,
  };
}

export function chatUsageFromResponses(usage: unknown): ChatUsage | null {
  const tokens = tokenUsageFromResponses(usage);
  if (tokens === null) return null;
  return {
    prompt_tokens: tokens.inputTokens,
    completion_tokens: tokens.outputTokens,
    total_tokens: tokens.inputTokens + tokens.outputTokens,
    prompt_tokens_details: { cached_tokens: tokens.cachedInputTokens },
    completion_tokens_details: { reasoning_tokens: tokens.reasoningTokens },
  };
}
