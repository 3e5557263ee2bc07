import type { TokenUsage } from '../usage/usage-record.js';

/**
 * Token counts from an OpenAI `usage` object, whichever API produced it: chat/embeddings
 * (`prompt_tokens`, `completion_tokens`, `*_details`) or responses (`input_tokens`,
 * `output_tokens`, `*_details`). Null when there is no usable usage.
 */
export function tokenUsage(usage: unknown): TokenUsage | null {
  if (!isRecord(usage)) return null;
  const input = num(usage.prompt_tokens) ?? num(usage.input_tokens);
  const output = num(usage.completion_tokens) ?? num(usage.output_tokens);
  if (input === null && output === null) return null;
  const inputDetails = usage.prompt_tokens_details ?? usage.input_tokens_details;
  const outputDetails = usage.completion_tokens_details ?? usage.output_tokens_details;
  return {
    inputTokens: input ?? 0,
    cachedInputTokens: (isRecord(inputDetails) ? num(inputDetails.cached_tokens) : null) ?? 0,
    outputTokens: output ?? 0,
    reasoningTokens: (isRecord(outputDetails) ? num(outputDetails.reasoning_tokens) : null) ?? 0,
  };
}

/** Usage of a non-streamed JSON answer: top-level `usage` (chat, embeddings, responses). */
export function usageFromJsonBody(json: unknown): TokenUsage | null {
  if (!isRecord(json)) return null;
  if (json.usage !== undefined) return tokenUsage(json.usage);
  // Some servers wrap the responses object, as the stream's terminal event does.
  return isRecord(json.response) ? tokenUsage(json.response.usage) : null;
}

/** The OpenAI error code (or type) of an error body, for usage records. */
export function errorCodeOf(json: unknown): string | null {
  if (!isRecord(json) || !isRecord(json.error)) return null;
  const { code, type } = json.error;
  return typeof code === 'string' && code !== '' ? code : typeof type === 'string' && type !== '' ? type : null;
}

/** The error message of an error body, for account state and logs. */
export function errorMessageOf(json: unknown): string | null {
  if (!isRecord(json) || !isRecord(json.error)) return null;
  return typeof json.error.message === 'string' ? json.error.message : null;
}

export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function num(value: unknown): number | null {
  return typeof value === 'number' && Number.isFinite(value) ? value : null;
}
