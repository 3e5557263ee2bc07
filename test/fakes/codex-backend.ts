import { randomBytes } from 'node:crypto';
import { createServer, type IncomingHttpHeaders, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { FakeOAuthServer } from './oauth-server.js';
import { randomItemId, responseEvents, sseFrame, type ScriptedAnswer, type StreamEvent } from './responses-events.js';

/**
 * A fake ChatGPT Codex backend (`POST {base}/responses`), as strict as CLIENTS.md describes the
 * real one: it only streams, requires `store: false` and `instructions`, rejects
 * `max_output_tokens`, `temperature` and `top_p` (400), wants `Authorization: Bearer <access
 * token>` (checked with the fake OAuth server: 401 when expired, revoked or unknown) and a
 * matching `chatgpt-account-id`. Every answer carries `x-codex-*` quota headers and streams start
 * with a `codex.rate_limits` event; an exhausted account answers 429 `usage_limit_reached` with
 * `resets_at`. Encrypted reasoning and response ids only verify on the account that issued them.
 */
export interface QuotaState {
  primaryUsed: number;
  secondaryUsed: number;
  /** Epoch seconds. */
  primaryResetAt: number;
  secondaryResetAt: number;
  /** Set: answer 429 usage_limit_reached with this resets_at (epoch seconds). */
  exhaustedUntil: number | null;
}

export interface BackendRequest {
  readonly headers: IncomingHttpHeaders;
  readonly body: Record<string, unknown>;
  /** The ChatGPT account that served it (null when refused before that was known). */
  accountId: string | null;
  status: number;
}

export type Answerer = (body: Record<string, unknown>, accountId: string) => ScriptedAnswer;

export const BASE_PATH = '/backend-api/codex';

export class FakeCodexBackend {
  readonly requests: BackendRequest[] = [];
  /** Quota per ChatGPT account id (created on first use at 0 %). */
  readonly quotas = new Map<string, QuotaState>();
  /** How the next requests are answered; default: a short text naming the account. */
  answer: Answerer = (_body, accountId) => ({ text: ['Hello ', `from ${accountId}`], usage: { input: 20, cached: 8, output: 6, reasoning: 2 } });
  /** Delay between streamed events. */
  eventDelayMs = 0;
  private readonly responseOwners = new Map<string, string>();

  private constructor(
    private readonly server: Server,
    private readonly oauth: FakeOAuthServer,
  ) {}

  static async start(oauth: FakeOAuthServer): Promise<FakeCodexBackend> {
    let fake: FakeCodexBackend | null = null;
    const server = createServer((req, res) => void fake?.handle(req, res));
    fake = new FakeCodexBackend(server, oauth);
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    return fake;
  }

  /** The account's `baseUrl`. */
  get baseUrl(): string {
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}${BASE_PATH}`;
  }

  quota(accountId: string): QuotaState {
    let quota = this.quotas.get(accountId);
    if (quota === undefined) {
      const now = Math.floor(Date.now() / 1000);
      quota = { primaryUsed: 0, secondaryUsed: 0, primaryResetAt: now + 5 * 3600, secondaryResetAt: now + 7 * 86_400, exhaustedUntil: null };
      this.quotas.set(accountId, quota);
    }
    return quota;
  }

  /** Served requests (status 200) per ChatGPT account id. */
  servedBy(): string[] {
    return this.requests.filter((r) => r.status === 200 && r.accountId !== null).map((r) => r.accountId as string);
  }

  close(): Promise<void> {
    this.server.closeAllConnections();
    return new Promise((resolve) => this.server.close(() => resolve()));
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    let body: Record<string, unknown> = {};
    try {
      body = JSON.parse(Buffer.concat(chunks).toString('utf8')) as Record<string, unknown>;
    } catch {
      // judged below
    }
    const record: BackendRequest = { headers: req.headers, body, accountId: null, status: 0 };
    this.requests.push(record);
    const fail = (status: number, message: string, extra: Record<string, unknown> = {}, headers: Record<string, string> = {}) => {
      record.status = status;
      res.writeHead(status, { 'content-type': 'application/json', ...headers });
      res.end(JSON.stringify({ error: { message, type: 'invalid_request_error', param: null, code: null, ...extra } }));
    };
    if (req.method !== 'POST' || req.url?.split('?')[0] !== `${BASE_PATH}/responses`) return fail(404, `no route ${req.method} ${req.url}`);

    const auth = req.headers.authorization ?? '';
    const token = auth.startsWith('Bearer ') ? auth.slice(7) : '';
    const owner = this.oauth.validate(token);
    if (owner === null) return fail(401, 'Your authentication token has expired. Please try signing in again.', { code: 'token_expired' });
    if (req.headers['chatgpt-account-id'] !== owner) return fail(401, 'chatgpt-account-id does not match the token.', { code: 'account_mismatch' });
    record.accountId = owner;

    if (body.store !== false) return fail(400, 'Store must be set to false');
    if (body.stream !== true) return fail(400, 'Stream must be set to true');
    if (typeof body.instructions !== 'string' || body.instructions === '') return fail(400, 'Instructions are required');
    for (const name of ['max_output_tokens', 'temperature', 'top_p']) {
      if (name in body) return fail(400, `Unsupported parameter: ${name}`, { param: name });
    }
    if (!Array.isArray(body.input)) return fail(400, 'Input must be a list');
    const foreign = this.foreignReference(body, owner);
    if (foreign !== null) return fail(400, foreign, { code: 'invalid_encrypted_content' });

    const quota = this.quota(owner);
    const headers = quotaHeaders(quota);
    if (quota.exhaustedUntil !== null && quota.exhaustedUntil * 1000 > Date.now()) {
      const resetsIn = quota.exhaustedUntil - Math.floor(Date.now() / 1000);
      record.status = 429;
      res.writeHead(429, { 'content-type': 'application/json', ...headers });
      res.end(JSON.stringify({ error: { type: 'usage_limit_reached', message: 'The usage limit has been reached', plan_type: 'plus', resets_at: quota.exhaustedUntil, resets_in_seconds: resetsIn } }));
      return;
    }

    record.status = 200;
    const id = `resp_${randomBytes(12).toString('hex')}`;
    this.responseOwners.set(id, owner);
    const answer = this.answer(body, owner);
    const wantsReasoning = Array.isArray(body.include) && body.include.includes('reasoning.encrypted_content');
    const events = responseEvents(
      { ...answer, reasoning: answer.reasoning ?? wantsReasoning },
      {
        id,
        model: String(body.model),
        createdAt: Math.floor(Date.now() / 1000),
        itemId: randomItemId,
        encryptedContent: (itemId) => `gAAAA${Buffer.from(JSON.stringify({ account: owner, item: itemId })).toString('base64url')}`,
      },
    );
    res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache', ...headers });
    const rateLimits: StreamEvent = {
      type: 'codex.rate_limits',
      plan_type: 'plus',
      rate_limits: {
        allowed: true,
        limit_reached: false,
        primary: { used_percent: quota.primaryUsed, window_minutes: 300, reset_at: quota.primaryResetAt },
        secondary: { used_percent: quota.secondaryUsed, window_minutes: 10080, reset_at: quota.secondaryResetAt },
      },
    };
    for (const event of [rateLimits, ...events]) {
      if (res.destroyed) return;
      res.write(sseFrame(event));
      if (this.eventDelayMs > 0) await new Promise((resolve) => setTimeout(resolve, this.eventDelayMs));
    }
    res.end();
  }

  /** Why the request cannot be served by `owner` (it carries another account's state), or null. */
  private foreignReference(body: Record<string, unknown>, owner: string): string | null {
    const previous = body.previous_response_id;
    if (typeof previous === 'string' && this.responseOwners.get(previous) !== owner) return `Previous response with id '${previous}' not found.`;
    for (const item of body.input as unknown[]) {
      if (typeof item !== 'object' || item === null) continue;
      const { type, encrypted_content: encrypted } = item as Record<string, unknown>;
      if (type !== 'reasoning' || typeof encrypted !== 'string') continue;
      let account: unknown = null;
      try {
        account = (JSON.parse(Buffer.from(encrypted.slice(5), 'base64url').toString('utf8')) as { account?: unknown }).account;
      } catch {
        // undecodable: not ours
      }
      if (account !== owner) return 'The encrypted content could not be verified.';
    }
    return null;
  }
}

function quotaHeaders(quota: QuotaState): Record<string, string> {
  return {
    'x-codex-primary-used-percent': String(quota.primaryUsed),
    'x-codex-primary-window-minutes': '300',
    'x-codex-primary-reset-at': String(quota.primaryResetAt),
    'x-codex-secondary-used-percent': String(quota.secondaryUsed),
    'x-codex-secondary-window-minutes': '10080',
    'x-codex-secondary-reset-at': String(quota.secondaryResetAt),
  };
}
