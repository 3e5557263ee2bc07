import OpenAI from 'openai';
import { StartupError, startGateway, type Gateway } from '../../src/main.js';
import { createLogger } from '../../src/shared/logger.js';
import { MemoryUsageSink } from '../../src/usage/usage-record.js';
import { FakeOpenAiUpstream, type FakeUpstreamOptions } from '../fakes/openai-upstream.js';
import { TempConfig } from '../helpers/temp-config.js';

/**
 * A real gateway (startGateway, real HTTP on an ephemeral port) in front of fake upstreams, one
 * fake per account, plus an `openai` SDK client pointed at it.
 */
export interface HarnessAccount extends FakeUpstreamOptions {
  id: string;
  /** Extra YAML fields of the account, e.g. `weight: 3`. */
  fields?: string;
}

export interface HarnessOptions {
  accounts: HarnessAccount[];
  /** The `models:` list as YAML lines; default one model `gpt-test` served by every account. */
  models?: string;
  /** The `routing:` section body as YAML flow mapping content; default `strategy: round_robin`. */
  routing?: string;
  server?: string;
}

export class GatewayHarness {
  readonly sink = new MemoryUsageSink();
  readonly upstreams = new Map<string, FakeOpenAiUpstream>();
  gateway!: Gateway;
  client!: OpenAI;
  config!: TempConfig;

  static async start(options: HarnessOptions): Promise<GatewayHarness> {
    const harness = new GatewayHarness();
    await harness.init(options);
    return harness;
  }

  private async init(options: HarnessOptions): Promise<void> {
    for (const account of options.accounts) this.upstreams.set(account.id, await FakeOpenAiUpstream.start({ name: account.id, ...account }));
    const accounts = options.accounts
      .map((a) => `  - { id: ${a.id}, kind: openai, baseUrl: "${this.upstream(a.id).url}", apiKey: "key-${a.id}"${a.fields ? `, ${a.fields}` : ''} }`)
      .join('\n');
    const text = `server: { host: 127.0.0.1, port: 0${options.server ? `, ${options.server}` : ''} }
storage: { url: "sqlite::memory:" }
routing: { ${options.routing ?? 'strategy: round_robin'} }
accounts:
${accounts}
models:
${options.models ?? '  - { id: gpt-test, aliases: [gpt-alias], upstreamModel: gpt-upstream }'}
`;
    this.config = new TempConfig(text);
    this.gateway = await startGateway({ configPath: this.config.path, watch: false, logger: createLogger({ level: 'silent' }), usageSink: this.sink }).catch((error: unknown) => {
      const issues = error instanceof StartupError ? error.issues.map((i) => i.message).join('; ') : '';
      throw new Error(`gateway did not start: ${String(error)} ${issues}\n${text}`);
    });
    this.client = new OpenAI({ baseURL: `${this.gateway.url}/v1`, apiKey: 'client-secret-key', maxRetries: 0, timeout: 20_000 });
  }

  get baseUrl(): string {
    return `${this.gateway.url}/v1`;
  }

  upstream(id: string): FakeOpenAiUpstream {
    const fake = this.upstreams.get(id);
    if (fake === undefined) throw new Error(`no upstream ${id}`);
    return fake;
  }

  /** Which account served each POST, in order, from the keys the upstreams received. */
  servedBy(): string[] {
    const all = [...this.upstreams.entries()].flatMap(([id, fake]) => fake.requests.filter((r) => r.method === 'POST').map((r) => ({ id, r })));
    return all.map((entry) => entry.id);
  }

  postCount(id: string): number {
    return this.upstream(id).requests.filter((r) => r.method === 'POST').length;
  }

  async close(): Promise<void> {
    await this.gateway?.close();
    await Promise.all([...this.upstreams.values()].map((u) => u.close()));
    this.config?.remove();
  }
}

/** The text of a chat completion's first choice. */
export function replyText(completion: OpenAI.Chat.Completions.ChatCompletion): string | null {
  return completion.choices[0]?.message.content ?? null;
}
