import type { ChatCompletion, ChatCompletionChunk, ChatToolCall, ChatUsage, FinishReason } from './chat-types.js';

/**
 * Folds the chunks of one streamed answer into the single `chat.completion` a non-streaming
 * client expects. The backend only streams, so non-streaming chat is always built this way, and
 * the two modes cannot drift apart: they come from the same translated chunks.
 */
export class ChatCompletionAccumulator {
  private id = '';
  private created = 0;
  private model = '';
  private content = '';
  private sawContent = false;
  private refusal: string | null = null;
  private readonly toolCalls: ChatToolCall[] = [];
  private finish: FinishReason = 'stop';

  add(chunk: ChatCompletionChunk): void {
    this.id = chunk.id;
    this.created = chunk.created;
    this.model = chunk.model;
    for (const choice of chunk.choices) {
      const delta = choice.delta;
      if (typeof delta.content === 'string' && delta.content !== '') {
        this.content += delta.content;
        this.sawContent = true;
      }
      if (typeof delta.refusal === 'string') this.refusal = (this.refusal ?? '') + delta.refusal;
      for (const call of delta.tool_calls ?? []) {
        let target = this.toolCalls[call.index];
        if (target === undefined) {
          target = { id: call.id ?? '', type: 'function', function: { name: call.function.name ?? '', arguments: '' } };
          this.toolCalls[call.index] = target;
        }
        if (call.id !== undefined) target.id = call.id;
        if (call.function.name !== undefined && call.function.name !== '') target.function.name = call.function.name;
        target.function.arguments += call.function.arguments;
      }
      if (choice.finish_reason !== null) this.finish = choice.finish_reason;
    }
  }

  result(usage: ChatUsage | null): ChatCompletion {
    const calls = this.toolCalls.filter((call) => call !== undefined);
    const completion: ChatCompletion = {
      id: this.id,
      object: 'chat.completion',
      created: this.created,
      model: this.model,
      choices: [
        {
          index: 0,
          message: {
            role: 'assistant',
            content: this.sawContent || calls.length === 0 ? this.content : null,
            refusal: this.refusal,
            ...(calls.length > 0 ? { tool_calls: calls } : {}),
          },
          logprobs: null,
          finish_reason: this.finish,
        },
      ],
    };
    if (usage !== null) completion.usage = usage;
    return completion;
  }
}
