import { createServer, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * The bench's upstream: as fast as Node's http allows, so the proxies are what is measured.
 * Non-streamed chat returns a fixed completion; streamed chat a fixed 12-event SSE answer (with
 * the usage chunk when `include_usage` was asked), written in one go.
 *
 * Two request headers change the stream's pace (they pass through every proxy under test):
 * - `x-bench-drip-ms: <n>`: the first event at once, the rest n ms later (time to first byte is
 *   then the first event's, not the whole answer's);
 * - `x-bench-hold: 1`: the first event at once, the rest only when `POST /bench/release` is
 *   called (open streams held for the concurrent-streams measurement; `GET /bench/held` counts).
 */
const completion = JSON.stringify({
  id: 'chatcmpl-bench',
  object: 'chat.completion',
  created: 1_700_000_000,
  model: 'bench-model',
  choices: [{ index: 0, message: { role: 'assistant', content: 'The quick brown fox jumps over the lazy dog.', refusal: null }, logprobs: null, finish_reason: 'stop' }],
  usage: { prompt_tokens: 120, completion_tokens: 12, total_tokens: 132, prompt_tokens_details: { cached_tokens: 64 }, completion_tokens_details: { reasoning_tokens: 0 } },
});

function sseEvents(includeUsage: boolean): string[] {
  const base = { id: 'chatcmpl-bench', object: 'chat.completion.chunk', created: 1_700_000_000, model: 'bench-model' };
  const extra = includeUsage ? { usage: null } : {};
  const words = 'The quick brown fox jumps over the lazy dog .'.split(' ');
  const events = [{ role: 'assistant', content: '' }, ...words.map((w) => ({ content: ` ${w}` }))].map(
    (delta) => `data: ${JSON.stringify({ ...base, choices: [{ index: 0, delta, logprobs: null, finish_reason: null }], ...extra })}\n\n`,
  );
  events.push(`data: ${JSON.stringify({ ...base, choices: [{ index: 0, delta: {}, logprobs: null, finish_reason: 'stop' }], ...extra })}\n\n`);
  if (includeUsage) events.push(`data: ${JSON.stringify({ ...base, choices: [], usage: { prompt_tokens: 120, completion_tokens: 12, total_tokens: 132 } })}\n\n`);
  events.push('data: [DONE]\n\n');
  return events;
}
const STREAMS = {
  usage: { all: sseEvents(true).join(''), first: sseEvents(true)[0], rest: sseEvents(true).slice(1).join('') },
  plain: { all: sseEvents(false).join(''), first: sseEvents(false)[0], rest: sseEvents(false).slice(1).join('') },
};

/** Held streams and the rest of their answer, ended by `POST /bench/release`. */
const held = new Map<ServerResponse, string>();

const server = createServer((req, res) => {
  if (req.url === '/bench/held') {
    res.end(String(held.size));
    return;
  }
  if (req.url === '/bench/release') {
    for (const [open, rest] of held) open.end(rest);
    held.clear();
    res.end('released');
    return;
  }
  const chunks: Buffer[] = [];
  req.on('data', (chunk: Buffer) => chunks.push(chunk));
  req.on('end', () => {
    const body = Buffer.concat(chunks).toString('utf8');
    // A substring test instead of JSON.parse: the upstream must not be the bottleneck.
    if (body.includes('"stream":true')) {
      const stream = body.includes('"include_usage":true') ? STREAMS.usage : STREAMS.plain;
      res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache' });
      if (req.headers['x-bench-hold'] === '1') {
        res.write(stream.first);
        held.set(res, stream.rest);
        res.once('close', () => held.delete(res));
        return;
      }
      const drip = Number(req.headers['x-bench-drip-ms'] ?? 0);
      if (drip > 0) {
        res.write(stream.first);
        setTimeout(() => res.end(stream.rest), drip);
        return;
      }
      res.end(stream.all);
      return;
    }
    res.writeHead(200, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(completion) });
    res.end(completion);
  });
});
server.keepAliveTimeout = 60_000;
// Thousands of held streams arrive at once.
server.listen({ port: 0, host: '127.0.0.1', backlog: 4096 }, () => {
  process.stdout.write(`LISTENING http://127.0.0.1:${(server.address() as AddressInfo).port}\n`);
});
// A clean exit, so `node --cpu-prof` can write its profile.
process.on('SIGTERM', () => process.exit(0));
