import OpenAI from 'openai';
import { StartupError, startGateway, type Gateway, type GatewayOptions } from '../../src/main.js';
import { createLogger } from '../../src/shared/logger.js';
import type { UsageSink } from '../../src/usage/usage-record.js';
import { FakeOpenAiUpstream } from '../fakes/openai-upstream.js';
import { TempConfig } from '../helpers/temp-config.js';
import { parsePromText, type Scrape } from './prom-text.js';

export interface MetricsHarnessOptions {
  /** One fake OpenAI upstream per id; `fields` adds YAML to the account, e.g. `priority: 1`. */
  accounts: Array<{ id: string; fields?: string }>;
  /** gateway.yaml after `accounts:` (auth, admin, models, keys...). */
  yaml: string;
  /** Inside `server: { ... }` after host and port. */
  server?: string;
  host?: string;
  routing?: string;
  /** Inside `storage: { ... }`; default an in-memory SQLite store. */
  storage?: string;
  /** Default: the gateway's own batching recorder into `storage`. */
  usageSink?: UsageSink;
  gateway?: Pick<GatewayOptions, 'costOf' | 'usageStats'>;
}

/** A real gateway on an ephemeral port in front of fake upstreams, and a way to scrape it. */
export class MetricsHarness {
  readonly upstreams = new Map<string, FakeOpenAiUpstream>();
  gateway!: Gateway;
  config!: TempConfig;
  private options!: MetricsHarnessOptions;

  static async start(options: MetricsHarnessOptions): Promise<MetricsHarness> {
    const h = new MetricsHarness();
    h.options = options;
    for (const account of options.accounts) h.upstreams.set(account.id, await FakeOpenAiUpstream.start({ name: account.id }));
    h.config = new TempConfig(h.text(options.yaml));
    h.gateway = await startGateway({
      configPath: h.config.path,
      watch: false,
      env: {},
      logger: createLogger({ level: 'silent' }),
      usageSink: options.usageSink,
      ...options.gateway,
    }).catch((error: unknown) => {
      const issues = error instanceof StartupError ? error.issues.map((i) => `${i.path}: ${i.message}`).join('; ') : '';
      throw new Error(`gateway did not start: ${String(error)} ${issues}`);
    });
    return h;
  }

  /** The gateway on loopback, whatever address it listens on. */
  get localUrl(): string {
    return `http://127.0.0.1:${this.gateway.port}`;
  }

  client(apiKey: string): OpenAI {
    return new OpenAI({ baseURL: `${this.localUrl}/v1`, apiKey, maxRetries: 0, timeout: 20_000 });
  }

  upstream(id: string): FakeOpenAiUpstream {
    const fake = this.upstreams.get(id);
    if (fake === undefined) throw new Error(`no upstream ${id}`);
    return fake;
  }

  /** GET /metrics as Prometheus would; throws unless it answers 200 in the text format. */
  async scrape(headers: Record<string, string> = {}): Promise<Scrape> {
    const res = await fetch(`${this.localUrl}/metrics`, { headers });
    const text = await res.text();
    if (res.status !== 200) throw new Error(`/metrics answered ${res.status}: ${text}`);
    if (!String(res.headers.get('content-type')).startsWith('text/plain; version=0.0.4')) throw new Error(`content-type ${res.headers.get('content-type')}`);
    return parsePromText(text);
  }

  /** Writes a new gateway.yaml body (after `accounts:`) and reloads it as SIGHUP would. */
  async rewrite(yaml: string) {
    this.config.writeByRename(this.text(yaml));
    return this.gateway.reloader.reload('signal');
  }

  async close(): Promise<void> {
    await this.gateway?.close();
    await Promise.all([...this.upstreams.values()].map((u) => u.close()));
    this.config?.remove();
  }

  private text(yaml: string): string {
    const accounts = this.options.accounts
      .map((a) => `  - { id: ${a.id}, kind: openai, baseUrl: "${this.upstream(a.id).url}", apiKey: "upstream-secret-${a.id}"${a.fields ? `, ${a.fields}` : ''} }`)
      .join('\n');
    return `server: { host: ${this.options.host ?? '127.0.0.1'}, port: 0${this.options.server ? `, ${this.options.server}` : ''} }
storage: { ${this.options.storage ?? 'url: "sqlite::memory:"'} }
routing: { ${this.options.routing ?? 'strategy: priority'} }
accounts:
${accounts}
${yaml}`;
  }
}
