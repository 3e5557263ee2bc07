import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * The bench's upstream: as fast as Node's http allows, so the proxies are what is measured.
 * Non-streamed chat returns a fixed completion; streamed chat a fixed 12-event SSE answer (with
 * the usage chunk when `include_usage` was asked), written in one go.
 */
const completion = JSON.stringify({
  id: 'chatcmpl-bench',
  object: 'chat.completion',
  created: 1_700_000_000,
  model: 'bench-model',
  choices: [{ index: 0, message: { role: 'assistant', content: 'The quick brown fox jumps over the lazy dog.', refusal: null }, logprobs: null, finish_reason: 'stop' }],
  usage: { prompt_tokens: 120, completion_tokens: 12, total_tokens: 132, prompt_tokens_details: { cached_tokens: 64 }, completion_tokens_details: { reasoning_tokens: 0 } },
});

function sse(includeUsage: boolean): string {
  const base = { id: 'chatcmpl-bench', object: 'chat.completion.chunk', created: 1_700_000_000, model: 'bench-model' };
  const extra = includeUsage ? { usage: null } : {};
  const words = 'The quick brown fox jumps over the lazy dog .'.split(' ');
  const events = [{ role: 'assistant', content: '' }, ...words.map((w) => ({ content: ` ${w}` }))].map(
    (delta) => `data: ${JSON.stringify({ ...base, choices: [{ index: 0, delta, logprobs: null, finish_reason: null }], ...extra })}\n\n`,
  );
  events.push(`data: ${JSON.stringify({ ...base, choices: [{ index: 0, delta: {}, logprobs: null, finish_reason: 'stop' }], ...extra })}\n\n`);
  if (includeUsage) events.push(`data: ${JSON.stringify({ ...base, choices: [], usage: { prompt_tokens: 120, completion_tokens: 12, total_tokens: 132 } })}\n\n`);
  events.push('data: [DONE]\n\n');
  return events.join('');
}
const streamWithUsage = sse(true);
const streamPlain = sse(false);

const server = createServer((req, res) => {
  const chunks: Buffer[] = [];
  req.on('data', (chunk: Buffer) => chunks.push(chunk));
  req.on('end', () => {
    const body = Buffer.concat(chunks).toString('utf8');
    // A substring test instead of JSON.parse: the upstream must not be the bottleneck.
    if (body.includes('"stream":true')) {
      res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache' });
      res.end(body.includes('"include_usage":true') ? streamWithUsage : streamPlain);
      return;
    }
    res.writeHead(200, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(completion) });
    res.end(completion);
  });
});
server.keepAliveTimeout = 60_000;
server.listen(0, '127.0.0.1', () => {
  process.stdout.write(`LISTENING http://127.0.0.1:${(server.address() as AddressInfo).port}\n`);
});
