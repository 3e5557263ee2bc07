import type OpenAI from 'openai';
import type { ChatCompletionChunk } from 'openai/resources/chat/completions';

/** What a chat client assembles from a stream, the way OpenClaw and the AI SDK do. */
export interface AssembledChat {
  ids: Set<string>;
  content: string;
  toolCalls: Array<{ id: string; name: string; arguments: string }>;
  finishReason: string | null;
  usage: ChatCompletionChunk['usage'] | null;
  chunks: number;
}

export async function assembleChat(stream: AsyncIterable<ChatCompletionChunk>): Promise<AssembledChat> {
  const out: AssembledChat = { ids: new Set(), content: '', toolCalls: [], finishReason: null, usage: null, chunks: 0 };
  for await (const chunk of stream) {
    out.chunks += 1;
    out.ids.add(chunk.id);
    if (chunk.usage) out.usage = chunk.usage;
    const choice = chunk.choices[0];
    if (choice === undefined) continue;
    out.content += choice.delta.content ?? '';
    for (const call of choice.delta.tool_calls ?? []) {
      const slot = (out.toolCalls[call.index] ??= { id: '', name: '', arguments: '' });
      if (call.id) slot.id = call.id;
      if (call.function?.name) slot.name = call.function.name;
      slot.arguments += call.function?.arguments ?? '';
    }
    if (choice.finish_reason) out.finishReason = choice.finish_reason;
  }
  return out;
}

export type ChatClient = OpenAI;
