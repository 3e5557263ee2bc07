import { randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * A fake OpenAI OAuth token endpoint (`POST /oauth/token`, `grant_type=refresh_token`, JSON or
 * form body). It issues JWT-shaped access tokens with `exp` and the `https://api.openai.com/auth`
 * claim, rotates refresh tokens (reusing an old one answers `refresh_token_reused`, as the real
 * one does), counts refreshes, and can be switched to answer `invalid_grant`. The fake Codex
 * backend asks it whether an access token is valid.
 */
export interface SeededAccount {
  accessToken: string;
  refreshToken: string;
  idToken: string;
  accountId: string;
}

interface AccessRecord {
  accountId: string;
  /** Epoch seconds. */
  exp: number;
  revoked: boolean;
}

export class FakeOAuthServer {
  /** Successful refreshes, per ChatGPT account id. */
  readonly refreshes = new Map<string, number>();
  /** Every refresh request received (including failed ones). */
  refreshRequests = 0;
  /** Lifetime of issued access tokens. */
  accessTtlSeconds = 3600;
  /** Answer refreshes with this OAuth error instead (e.g. invalid_grant), while set. */
  failWith: { status: number; error: string; description: string } | null = null;
  /** Delay before answering a refresh: lets concurrent callers pile up on one refresh. */
  delayMs = 0;
  private readonly access = new Map<string, AccessRecord>();
  private readonly refreshTokens = new Map<string, { accountId: string; plan: string; used: boolean }>();

  private constructor(private readonly server: Server) {}

  static async start(): Promise<FakeOAuthServer> {
    let fake: FakeOAuthServer | null = null;
    const server = createServer((req, res) => void fake?.handle(req, res));
    fake = new FakeOAuthServer(server);
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    return fake;
  }

  /** The account's `tokenUrl`. */
  get tokenUrl(): string {
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}/oauth/token`;
  }

  totalRefreshes(): number {
    return [...this.refreshes.values()].reduce((a, b) => a + b, 0);
  }

  /** A signed-in seat: tokens as `codex login` would write them. `accessTtlSeconds` may be negative (already expired). */
  seed(accountId: string, plan = 'plus', accessTtlSeconds = this.accessTtlSeconds): SeededAccount {
    const refreshToken = `rt_${randomBytes(16).toString('hex')}`;
    this.refreshTokens.set(refreshToken, { accountId, plan, used: false });
    return { accessToken: this.issueAccess(accountId, plan, accessTtlSeconds), refreshToken, idToken: idToken(accountId, plan), accountId };
  }

  /** For the backend: the account an access token belongs to, or null when unknown, expired or revoked. */
  validate(token: string): string | null {
    const record = this.access.get(token);
    if (record === undefined || record.revoked || record.exp * 1000 <= Date.now()) return null;
    return record.accountId;
  }

  /** Server-side revocation: the token still looks valid (its exp) but the backend answers 401. */
  revoke(token: string): void {
    const record = this.access.get(token);
    if (record !== undefined) record.revoked = true;
  }

  /** Every access token ever issued for an account, oldest first. */
  accessTokensOf(accountId: string): string[] {
    return [...this.access.entries()].filter(([, r]) => r.accountId === accountId).map(([token]) => token);
  }

  close(): Promise<void> {
    this.server.closeAllConnections();
    return new Promise((resolve) => this.server.close(() => resolve()));
  }

  private issueAccess(accountId: string, plan: string, ttlSeconds: number): string {
    const exp = Math.floor(Date.now() / 1000) + ttlSeconds;
    const token = jwt({ exp, jti: randomBytes(8).toString('hex'), 'https://api.openai.com/auth': { chatgpt_account_id: accountId, chatgpt_plan_type: plan } });
    this.access.set(token, { accountId, exp, revoked: false });
    return token;
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const text = Buffer.concat(chunks).toString('utf8');
    if (req.method !== 'POST' || req.url !== '/oauth/token') return send(res, 404, { error: 'not_found' });
    this.refreshRequests += 1;
    const params = (req.headers['content-type'] ?? '').includes('json') ? (JSON.parse(text) as Record<string, string>) : Object.fromEntries(new URLSearchParams(text));
    if (this.delayMs > 0) await new Promise((resolve) => setTimeout(resolve, this.delayMs));
    if (params.grant_type !== 'refresh_token') return send(res, 400, { error: 'unsupported_grant_type', error_description: 'only refresh_token' });
    if (this.failWith !== null) return send(res, this.failWith.status, { error: this.failWith.error, error_description: this.failWith.description });
    const known = this.refreshTokens.get(params.refresh_token ?? '');
    if (known === undefined) return send(res, 400, { error: 'invalid_grant', error_description: 'Unknown or expired refresh token.' });
    if (known.used) return send(res, 401, { error: { code: 'refresh_token_reused', message: 'Your refresh token has already been used to generate a new access token.' } });
    known.used = true;
    const refreshToken = `rt_${randomBytes(16).toString('hex')}`;
    this.refreshTokens.set(refreshToken, { accountId: known.accountId, plan: known.plan, used: false });
    this.refreshes.set(known.accountId, (this.refreshes.get(known.accountId) ?? 0) + 1);
    send(res, 200, {
      access_token: this.issueAccess(known.accountId, known.plan, this.accessTtlSeconds),
      refresh_token: refreshToken,
      id_token: idToken(known.accountId, known.plan),
      token_type: 'Bearer',
      expires_in: this.accessTtlSeconds,
    });
  }
}

export function jwt(payload: Record<string, unknown>): string {
  const part = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');
  return `${part({ alg: 'none', typ: 'JWT' })}.${part(payload)}.${randomBytes(8).toString('base64url')}`;
}

function idToken(accountId: string, plan: string): string {
  return jwt({ sub: `user-${accountId}`, email: `${accountId}@example.com`, 'https://api.openai.com/auth': { chatgpt_account_id: accountId, chatgpt_plan_type: plan } });
}

function send(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { 'content-type': 'application/json' });
  res.end(JSON.stringify(body));
}
