import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import OpenAI from 'openai';
import { StartupError, startGateway, type Gateway } from '../../src/main.js';
import type { Logger } from '../../src/shared/logger.js';
import { createLogger } from '../../src/shared/logger.js';
import { MemoryUsageSink } from '../../src/usage/usage-record.js';
import { FakeCodexBackend } from '../fakes/codex-backend.js';
import { FakeOAuthServer, type SeededAccount } from '../fakes/oauth-server.js';

/**
 * A real gateway in front of the fake Codex backend and the fake OAuth server, with chatgpt
 * accounts signed in through auth.json files, an SQLite store in a temporary directory, and an
 * `openai` SDK client pointed at /v1.
 */
export interface SeatOptions {
  id: string;
  /** ChatGPT account id (default `acct-<id>`). */
  accountId?: string;
  plan?: string;
  /** Lifetime of the seeded access token (negative: already expired). */
  accessTtlSeconds?: number;
  /** Extra YAML fields of the account, e.g. `plan: pro`. */
  fields?: string;
}

export interface ChatgptHarnessOptions {
  seats: SeatOptions[];
  /** `models:` lines; default gpt-5.3-codex and gpt-5.3-codex-spark on every seat. */
  models?: string;
  routing?: string;
  logger?: Logger;
  /** Reuse the directory (store, auth files, key) of an earlier harness: a restart. */
  dir?: string;
  oauth?: FakeOAuthServer;
  backend?: FakeCodexBackend;
}

export class ChatgptHarness {
  readonly sink = new MemoryUsageSink();
  readonly seeded = new Map<string, SeededAccount>();
  gateway!: Gateway;
  client!: OpenAI;
  oauth!: FakeOAuthServer;
  backend!: FakeCodexBackend;
  dir!: string;
  configText = '';
  private ownsFakes = false;
  private readonly key = randomBytes(32).toString('base64');

  static async start(options: ChatgptHarnessOptions): Promise<ChatgptHarness> {
    const harness = new ChatgptHarness();
    await harness.init(options);
    return harness;
  }

  /** A second gateway on the same directory, store, key and fakes (the first is closed first). */
  async restart(options: Partial<ChatgptHarnessOptions> = {}): Promise<ChatgptHarness> {
    await this.gateway.close();
    const next = new ChatgptHarness();
    Object.assign(next, { key: this.key });
    await next.init({ seats: [], ...options, dir: this.dir, oauth: this.oauth, backend: this.backend }, this.configText);
    next.ownsFakes = this.ownsFakes;
    this.ownsFakes = false;
    return next;
  }

  private async init(options: ChatgptHarnessOptions, configText?: string): Promise<void> {
    this.ownsFakes = options.oauth === undefined;
    this.oauth = options.oauth ?? (await FakeOAuthServer.start());
    this.backend = options.backend ?? (await FakeCodexBackend.start(this.oauth));
    this.dir = options.dir ?? mkdtempSync(join(tmpdir(), 'codex-lb-chatgpt-'));
    for (const seat of options.seats) this.writeAuthFile(seat);
    const ids = options.seats.map((s) => s.id).join(', ');
    this.configText =
      configText ??
      `server: { host: 127.0.0.1, port: 0 }
storage: { url: "sqlite:${join(this.dir, 'gateway.sqlite')}" }
routing: { ${options.routing ?? 'strategy: capacity_weighted'} }
accounts:
${options.seats
  .map((s) => `  - { id: ${s.id}, kind: chatgpt, authFile: "${join(this.dir, `${s.id}.json`)}", baseUrl: "${this.backend.baseUrl}", tokenUrl: "${this.oauth.tokenUrl}"${s.fields ? `, ${s.fields}` : ''} }`)
  .join('\n')}
models:
${options.models ?? `  - { id: gpt-5.3-codex, name: GPT-5.3 Codex, accounts: [${ids}] }\n  - { id: gpt-5.3-codex-spark, name: GPT-5.3 Codex Spark, accounts: [${ids}] }`}
`;
    const configPath = join(this.dir, 'gateway.yaml');
    writeFileSync(configPath, this.configText);
    this.gateway = await startGateway({
      configPath,
      watch: false,
      env: { CODEX_LB_ENCRYPTION_KEY: this.key },
      logger: options.logger ?? createLogger({ level: 'silent' }),
      usageSink: this.sink,
    }).catch((error: unknown) => {
      const issues = error instanceof StartupError ? error.issues.map((i) => i.message).join('; ') : '';
      throw new Error(`gateway did not start: ${String(error)} ${issues}\n${this.configText}`);
    });
    this.client = new OpenAI({ baseURL: `${this.gateway.url}/v1`, apiKey: 'dummy', maxRetries: 0, timeout: 20_000 });
  }

  /** Writes (or rewrites: a new `codex login`) the seat's auth.json, Codex CLI format. */
  writeAuthFile(seat: SeatOptions): SeededAccount {
    const seeded = this.oauth.seed(seat.accountId ?? `acct-${seat.id}`, seat.plan ?? 'plus', seat.accessTtlSeconds ?? 3600);
    this.seeded.set(seat.id, seeded);
    const tokens = { id_token: seeded.idToken, access_token: seeded.accessToken, refresh_token: seeded.refreshToken, account_id: seeded.accountId };
    writeFileSync(join(this.dir, `${seat.id}.json`), JSON.stringify({ OPENAI_API_KEY: null, tokens, last_refresh: new Date().toISOString() }, null, 2));
    return seeded;
  }

  get url(): string {
    return this.gateway.url;
  }

  async close(): Promise<void> {
    await this.gateway.close();
    if (this.ownsFakes) {
      await this.backend.close();
      await this.oauth.close();
      rmSync(this.dir, { recursive: true, force: true });
    }
  }
}
