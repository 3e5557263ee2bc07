/**
 * The bodies the fake upstream answers with, shaped like OpenAI's: chat completions (JSON and
 * chunks), responses (JSON and events), embeddings. A request with tools whose conversation does
 * not yet hold a tool result gets a tool call; otherwise a text reply.
 */
export interface Reply {
  id: string;
  text: string;
  model: string;
  usage: { input: number; cached: number; output: number; reasoning: number };
}

export const TOOL_CALL = { id: 'call_weather_1', name: 'get_weather', arguments: '{"city":"Paris"}' };

function chatUsage(u: Reply['usage']) {
  return {
    prompt_tokens: u.input,
    completion_tokens: u.output,
    total_tokens: u.input + u.output,
    prompt_tokens_details: { cached_tokens: u.cached },
    completion_tokens_details: { reasoning_tokens: u.reasoning },
  };
}

function responsesUsage(u: Reply['usage']) {
  return {
    input_tokens: u.input,
    input_tokens_details: { cached_tokens: u.cached },
    output_tokens: u.output,
    output_tokens_details: { reasoning_tokens: u.reasoning },
    total_tokens: u.input + u.output,
  };
}

function wantsChatToolCall(body: Record<string, unknown>): boolean {
  if (!Array.isArray(body.tools) || body.tools.length === 0) return false;
  const messages = Array.isArray(body.messages) ? (body.messages as Array<Record<string, unknown>>) : [];
  return !messages.some((m) => m.role === 'tool');
}

function wantsResponsesToolCall(body: Record<string, unknown>): boolean {
  if (!Array.isArray(body.tools) || body.tools.length === 0) return false;
  const input = Array.isArray(body.input) ? (body.input as Array<Record<string, unknown>>) : [];
  return !input.some((item) => item.type === 'function_call_output');
}

export function chatCompletion(body: Record<string, unknown>, reply: Reply) {
  const toolCall = wantsChatToolCall(body);
  return {
    id: `chatcmpl-${reply.id}`,
    object: 'chat.completion',
    created: Math.floor(Date.now() / 1000),
    model: reply.model,
    choices: [
      {
        index: 0,
        message: toolCall
          ? { role: 'assistant', content: null, refusal: null, tool_calls: [{ id: TOOL_CALL.id, type: 'function', function: { name: TOOL_CALL.name, arguments: TOOL_CALL.arguments } }] }
          : { role: 'assistant', content: reply.text, refusal: null },
        logprobs: null,
        finish_reason: toolCall ? 'tool_calls' : 'stop',
      },
    ],
    usage: chatUsage(reply.usage),
  };
}

export function chatStreamChunks(body: Record<string, unknown>, reply: Reply, includeUsage: boolean): string[] {
  const base = { id: `chatcmpl-${reply.id}`, object: 'chat.completion.chunk', created: Math.floor(Date.now() / 1000), model: reply.model };
  const extra = includeUsage ? { usage: null } : {};
  const chunk = (delta: Record<string, unknown>, finish: string | null = null) =>
    `data: ${JSON.stringify({ ...base, choices: [{ index: 0, delta, logprobs: null, finish_reason: finish }], ...extra })}\n\n`;
  const out: string[] = [];
  if (wantsChatToolCall(body)) {
    out.push(chunk({ role: 'assistant', content: null, tool_calls: [{ index: 0, id: TOOL_CALL.id, type: 'function', function: { name: TOOL_CALL.name, arguments: '' } }] }));
    const half = Math.floor(TOOL_CALL.arguments.length / 2);
    for (const part of [TOOL_CALL.arguments.slice(0, half), TOOL_CALL.arguments.slice(half)]) {
      out.push(chunk({ tool_calls: [{ index: 0, function: { arguments: part } }] }));
    }
    out.push(chunk({}, 'tool_calls'));
  } else {
    out.push(chunk({ role: 'assistant', content: '' }));
    for (const word of words(reply.text)) out.push(chunk({ content: word }));
    out.push(chunk({}, 'stop'));
  }
  if (includeUsage) out.push(`data: ${JSON.stringify({ ...base, choices: [], usage: chatUsage(reply.usage) })}\n\n`);
  out.push('data: [DONE]\n\n');
  return out;
}

export function responseObject(body: Record<string, unknown>, reply: Reply, status = 'completed') {
  const toolCall = wantsResponsesToolCall(body);
  const output = toolCall
    ? [{ type: 'function_call', id: `fc_${reply.id}`, call_id: TOOL_CALL.id, name: TOOL_CALL.name, arguments: TOOL_CALL.arguments, status: 'completed' }]
    : [{ type: 'message', id: `msg_${reply.id}`, status: 'completed', role: 'assistant', content: [{ type: 'output_text', text: reply.text, annotations: [] }] }];
  return {
    id: `resp_${reply.id}`,
    object: 'response',
    created_at: Math.floor(Date.now() / 1000),
    status,
    model: reply.model,
    output: status === 'completed' ? output : [],
    usage: status === 'completed' ? responsesUsage(reply.usage) : null,
  };
}

export function responsesStreamEvents(body: Record<string, unknown>, reply: Reply): string[] {
  let seq = 0;
  const event = (type: string, data: Record<string, unknown>) => `event: ${type}\ndata: ${JSON.stringify({ type, sequence_number: seq++, ...data })}\n\n`;
  const out = [event('response.created', { response: responseObject(body, reply, 'in_progress') })];
  const done = responseObject(body, reply);
  const item = done.output[0];
  if (wantsResponsesToolCall(body)) {
    out.push(event('response.output_item.added', { output_index: 0, item: { ...item, arguments: '', status: 'in_progress' } }));
    out.push(event('response.function_call_arguments.delta', { item_id: item.id, output_index: 0, delta: TOOL_CALL.arguments }));
    out.push(event('response.function_call_arguments.done', { item_id: item.id, output_index: 0, arguments: TOOL_CALL.arguments }));
  } else {
    out.push(event('response.output_item.added', { output_index: 0, item: { ...item, content: [], status: 'in_progress' } }));
    out.push(event('response.content_part.added', { item_id: item.id, output_index: 0, content_index: 0, part: { type: 'output_text', text: '', annotations: [] } }));
    for (const word of words(reply.text)) out.push(event('response.output_text.delta', { item_id: item.id, output_index: 0, content_index: 0, delta: word }));
    out.push(event('response.output_text.done', { item_id: item.id, output_index: 0, content_index: 0, text: reply.text }));
  }
  out.push(event('response.output_item.done', { output_index: 0, item }));
  out.push(event('response.completed', { response: done }));
  return out;
}

export function embeddingList(body: Record<string, unknown>, reply: Reply) {
  const inputs = Array.isArray(body.input) ? body.input : [body.input];
  const base64 = body.encoding_format === 'base64';
  return {
    object: 'list',
    model: reply.model,
    data: inputs.map((_, index) => {
      const vector = [0.1 * (index + 1), 0.2, -0.3, 0.4];
      return { object: 'embedding', index, embedding: base64 ? Buffer.from(new Float32Array(vector).buffer).toString('base64') : vector };
    }),
    usage: { prompt_tokens: 5 * inputs.length, total_tokens: 5 * inputs.length },
  };
}

/** "Hello from a" → ["Hello", " from", " a"]: one delta per word. */
function words(text: string): string[] {
  return text.split(/(?= )/);
}
