import { createServer, type IncomingHttpHeaders, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { chatCompletion, chatStreamChunks, embeddingList, responseObject, responsesStreamEvents, type Reply } from './openai-payloads.js';

/**
 * A small OpenAI-compatible upstream for tests: chat completions, responses and embeddings, JSON
 * and SSE (chunk by chunk, with a configurable delay), usage with cached and reasoning tokens,
 * tool calls, and fault switches. It records every request it receives (headers and body) and
 * whether the caller went away before the answer was complete.
 */
export type Fault =
  | { kind: 'status'; status: number; headers?: Record<string, string>; body?: unknown }
  | { kind: 'reset-before-headers' }
  | { kind: 'reset-mid-stream'; afterChunks?: number }
  | { kind: 'slow-first-byte'; delayMs: number }
  | { kind: 'stall'; afterChunks?: number }
  /** Ends the answer cleanly but early: a stream without its last events, half a JSON body. */
  | { kind: 'truncate'; afterChunks?: number };

export interface ReceivedRequest {
  readonly method: string;
  readonly path: string;
  readonly headers: IncomingHttpHeaders;
  readonly raw: string;
  readonly body: Record<string, unknown> | null;
  /** The connection closed before the answer was complete (the caller aborted, or a fault cut it). */
  closedEarly: boolean;
  finished: boolean;
}

export interface UsageNumbers {
  input: number;
  cached: number;
  output: number;
  reasoning: number;
}

export interface FakeUpstreamOptions {
  /** Appears in replies ("Hello from <name>") so tests see which upstream served. */
  name?: string;
  /** Delay between SSE chunks. */
  chunkDelayMs?: number;
  usage?: UsageNumbers;
}

export const DEFAULT_USAGE: UsageNumbers = { input: 12, cached: 4, output: 7, reasoning: 3 };

export class FakeOpenAiUpstream {
  readonly requests: ReceivedRequest[] = [];
  name: string;
  chunkDelayMs: number;
  usage: UsageNumbers;
  private readonly queued: Fault[] = [];
  private persistent: Fault | null = null;
  private counter = 0;

  private constructor(
    private readonly server: Server,
    options: FakeUpstreamOptions,
  ) {
    this.name = options.name ?? 'upstream';
    this.chunkDelayMs = options.chunkDelayMs ?? 0;
    this.usage = options.usage ?? DEFAULT_USAGE;
  }

  static async start(options: FakeUpstreamOptions = {}): Promise<FakeOpenAiUpstream> {
    let fake: FakeOpenAiUpstream | null = null;
    const server = createServer((req, res) => void fake?.handle(req, res));
    fake = new FakeOpenAiUpstream(server, options);
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    return fake;
  }

  /** Base URL as an account's `baseUrl`: `http://127.0.0.1:<port>/v1`. */
  get url(): string {
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}/v1`;
  }

  /** The next `times` POSTs get this fault. */
  failNext(fault: Fault, times = 1): void {
    for (let i = 0; i < times; i++) this.queued.push(fault);
  }

  /** Every POST gets this fault until cleared with null. */
  setFault(fault: Fault | null): void {
    this.persistent = fault;
  }

  reset(): void {
    this.requests.length = 0;
    this.queued.length = 0;
    this.persistent = null;
  }

  async close(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const raw = await readText(req);
    const path = (req.url ?? '/').split('?')[0];
    const body = parseObject(raw);
    const record: ReceivedRequest = { method: req.method ?? 'GET', path, headers: req.headers, raw, body, closedEarly: false, finished: false };
    this.requests.push(record);
    res.on('close', () => {
      if (!res.writableFinished) record.closedEarly = true;
    });
    res.on('finish', () => {
      record.finished = true;
    });
    if (req.method === 'GET' && path === '/v1/models') return json(res, 200, { object: 'list', data: [{ id: 'fake-model', object: 'model', created: 0, owned_by: 'fake' }] });
    if (req.method !== 'POST' || body === null) return json(res, 400, errorBody('bad request to fake upstream', 'invalid_request_error'));

    const fault = this.queued.shift() ?? this.persistent;
    if (fault?.kind === 'reset-before-headers') {
      req.socket.destroy();
      return;
    }
    if (fault?.kind === 'status') {
      res.writeHead(fault.status, { 'content-type': 'application/json', ...fault.headers });
      res.end(JSON.stringify(fault.body ?? errorBody(`fake ${fault.status}`, fault.status === 429 ? 'rate_limit_exceeded' : 'server_error')));
      return;
    }
    if (fault?.kind === 'slow-first-byte') await sleep(fault.delayMs);
    if (res.destroyed) return;

    const reply: Reply = { id: `${this.name}-${++this.counter}`, text: `Hello from ${this.name}`, usage: this.usage, model: String(body.model) };
    const chunks = this.answerChunks(path, body, reply);
    if (chunks === null) return json(res, 404, errorBody(`unknown path ${path}`, 'invalid_request_error'));
    const stream = body.stream === true && path !== '/v1/embeddings';
    const cutAfter = fault?.kind === 'reset-mid-stream' || fault?.kind === 'stall' || fault?.kind === 'truncate' ? (fault.afterChunks ?? 2) : Infinity;
    if (!stream) {
      const text = chunks[0];
      if (cutAfter !== Infinity) {
        res.writeHead(200, { 'content-type': 'application/json' });
        res.write(text.slice(0, Math.floor(text.length / 2)));
        await sleep(50);
        if (fault?.kind === 'reset-mid-stream') res.destroy();
        if (fault?.kind === 'truncate') res.end();
        return;
      }
      res.writeHead(200, { 'content-type': 'application/json', 'x-request-id': `req_${reply.id}` });
      res.end(text);
      return;
    }
    res.writeHead(200, { 'content-type': 'text/event-stream; charset=utf-8', 'cache-control': 'no-cache', 'x-request-id': `req_${reply.id}` });
    for (let i = 0; i < chunks.length; i++) {
      if (res.destroyed) return;
      if (i >= cutAfter) {
        // Let what was written reach the caller first: the cut must come after real bytes.
        await sleep(50);
        if (fault?.kind === 'reset-mid-stream') res.destroy();
        if (fault?.kind === 'truncate') res.end();
        return; // stall: say nothing more, never end
      }
      if (i > 0 && this.chunkDelayMs > 0) await sleep(this.chunkDelayMs);
      res.write(chunks[i]);
    }
    res.end();
  }

  /** The answer as the list of writes to make: one JSON text, or SSE events one per write. */
  private answerChunks(path: string, body: Record<string, unknown>, reply: Reply): string[] | null {
    const stream = body.stream === true;
    switch (path) {
      case '/v1/chat/completions': {
        const options = body.stream_options;
        const includeUsage = typeof options === 'object' && options !== null && (options as Record<string, unknown>).include_usage === true;
        return stream ? chatStreamChunks(body, reply, includeUsage) : [JSON.stringify(chatCompletion(body, reply))];
      }
      case '/v1/responses':
        return stream ? responsesStreamEvents(body, reply) : [JSON.stringify(responseObject(body, reply))];
      case '/v1/embeddings':
        return [JSON.stringify(embeddingList(body, reply))];
      default:
        return null;
    }
  }
}

export function errorBody(message: string, type: string, code: string | null = type): { error: { message: string; type: string; code: string | null; param: null } } {
  return { error: { message, type, code, param: null } };
}

function json(res: ServerResponse, status: number, value: unknown): void {
  res.writeHead(status, { 'content-type': 'application/json' });
  res.end(JSON.stringify(value));
}

function readText(req: IncomingMessage): Promise<string> {
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', () => resolve(Buffer.concat(chunks).toString('utf8')));
  });
}

function parseObject(text: string): Record<string, unknown> | null {
  try {
    const value: unknown = JSON.parse(text);
    return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : null;
  } catch {
    return null;
  }
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
