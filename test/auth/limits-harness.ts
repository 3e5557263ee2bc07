import OpenAI from 'openai';
import { StartupError, startGateway, type Gateway } from '../../src/main.js';
import type { CostFn } from '../../src/proxy/usage-tracker.js';
import { createLogger, type Logger } from '../../src/shared/logger.js';
import { MemoryUsageSink } from '../../src/usage/usage-record.js';
import { FakeOpenAiUpstream, type FakeUpstreamOptions } from '../fakes/openai-upstream.js';
import { TempConfig } from '../helpers/temp-config.js';

export interface LimitsHarnessOptions {
  /** Upstream accounts (one fake each); `fields` adds YAML, e.g. `policies: [p]`. */
  accounts?: Array<FakeUpstreamOptions & { id: string; fields?: string }>;
  /** gateway.yaml after `accounts:` (models, policies, keys, auth...), with `{url:<id>}` placeholders. */
  yaml: string;
  server?: string;
  /** `storage.url` (default `sqlite::memory:`). */
  storage?: string;
  costOf?: CostFn;
  logger?: Logger;
  env?: NodeJS.ProcessEnv;
}

/**
 * A real gateway on an ephemeral port in front of fake OpenAI upstreams, for the key and limit
 * suites: the config text is the test's own (auth, keys, policies), and `rewrite` applies a new
 * one through the reload pipeline.
 */
export class LimitsHarness {
  readonly sink = new MemoryUsageSink();
  readonly upstreams = new Map<string, FakeOpenAiUpstream>();
  gateway!: Gateway;
  config!: TempConfig;
  private accountsYaml = '';
  private server = '';
  private storage = 'sqlite::memory:';

  static async start(options: LimitsHarnessOptions): Promise<LimitsHarness> {
    const harness = new LimitsHarness();
    for (const account of options.accounts ?? [{ id: 'up' }]) {
      harness.upstreams.set(account.id, await FakeOpenAiUpstream.start({ name: account.id, ...account }));
    }
    harness.accountsYaml = (options.accounts ?? [{ id: 'up' }])
      .map((a) => `  - { id: ${a.id}, kind: openai, baseUrl: "${harness.upstream(a.id).url}", apiKey: "key-${a.id}"${a.fields ? `, ${a.fields}` : ''} }`)
      .join('\n');
    harness.server = options.server ?? '';
    harness.storage = options.storage ?? harness.storage;
    harness.config = new TempConfig(harness.text(options.yaml));
    harness.gateway = await startGateway({
      configPath: harness.config.path,
      watch: false,
      logger: options.logger ?? createLogger({ level: 'silent' }),
      usageSink: harness.sink,
      costOf: options.costOf,
      env: options.env ?? {},
    }).catch((error: unknown) => {
      const issues = error instanceof StartupError ? error.issues.map((i) => `${i.path}: ${i.message}`).join('; ') : '';
      throw new Error(`gateway did not start: ${String(error)} ${issues}`);
    });
    return harness;
  }

  get baseUrl(): string {
    return `${this.gateway.url}/v1`;
  }

  client(apiKey: string, headers: Record<string, string> = {}): OpenAI {
    return new OpenAI({ baseURL: this.baseUrl, apiKey, maxRetries: 0, timeout: 20_000, defaultHeaders: headers });
  }

  upstream(id: string): FakeOpenAiUpstream {
    const fake = this.upstreams.get(id);
    if (fake === undefined) throw new Error(`no upstream ${id}`);
    return fake;
  }

  /** Writes a new config and reloads it (what the file watcher or SIGHUP would do). */
  async rewrite(yaml: string): Promise<void> {
    this.config.writeByRename(this.text(yaml));
    const result = await this.gateway.reloader.reload('signal');
    if (result.status !== 'applied') throw new Error(`reload ${result.status}: ${result.issues.map((i) => i.message).join('; ')}`);
  }

  postsTo(id: string): number {
    return this.upstream(id).requests.filter((r) => r.method === 'POST').length;
  }

  async close(): Promise<void> {
    await this.gateway?.close();
    await Promise.all([...this.upstreams.values()].map((u) => u.close()));
    this.config?.remove();
  }

  private text(yaml: string): string {
    return `server: { host: 127.0.0.1, port: 0${this.server ? `, ${this.server}` : ''} }
storage: { url: "${this.storage}" }
routing: { strategy: round_robin }
accounts:
${this.accountsYaml}
${yaml}`;
  }
}

/** A chat request as OpenClaw sends it (minus the 26 KB system prompt). */
export function chat(model = 'gpt-4o'): OpenAI.Chat.Completions.ChatCompletionCreateParamsNonStreaming {
  return { model, messages: [{ role: 'user', content: 'hello' }] };
}
