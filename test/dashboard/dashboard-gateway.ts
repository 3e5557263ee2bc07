import OpenAI from 'openai';
import { startGateway, type Gateway } from '../../src/main.js';
import { createLogger } from '../../src/shared/logger.js';
import { FakeOpenAiUpstream } from '../fakes/openai-upstream.js';
import { TempConfig } from '../helpers/temp-config.js';

/**
 * A real gateway for the browser tests: auth on with two keys, an admin token, two accounts on
 * fake upstreams, priced models, usage in SQLite next to the config, and the file watcher on so
 * edits of gateway.yaml apply as they do for users.
 */
export const ADMIN_TOKEN = 'dashboard-admin-token-0123456789abcdef';
export const ALPHA_KEY = 'sk-clb-dashboard-alpha-0123456789abcdef';
export const BETA_KEY = 'sk-clb-dashboard-beta-0123456789abcdef';

export interface ConfigOptions {
  betaName?: string;
  /** Lines appended at the end (e.g. to break the file). */
  extra?: string;
}

export class DashboardGateway {
  private constructor(
    readonly gateway: Gateway,
    readonly config: TempConfig,
    readonly a: FakeOpenAiUpstream,
    readonly b: FakeOpenAiUpstream,
  ) {}

  static async start(): Promise<DashboardGateway> {
    const a = await FakeOpenAiUpstream.start({ name: 'a' });
    const b = await FakeOpenAiUpstream.start({ name: 'b' });
    const config = new TempConfig(dashboardConfig(a.url, b.url));
    const gateway = await startGateway({ configPath: config.path, watch: true, logger: createLogger({ level: 'silent' }), env: { DASHBOARD_ADMIN_TOKEN: ADMIN_TOKEN } });
    return new DashboardGateway(gateway, config, a, b);
  }

  get origin(): string {
    return this.gateway.url;
  }

  client(key: string): OpenAI {
    return new OpenAI({ baseURL: `${this.gateway.url}/v1`, apiKey: key, maxRetries: 0, timeout: 20_000 });
  }

  /** Rewrites gateway.yaml the way editors save (temp file + rename). */
  edit(options: ConfigOptions): void {
    this.config.writeByRename(dashboardConfig(this.a.url, this.b.url, options));
  }

  async close(): Promise<void> {
    await this.gateway.close();
    await this.a.close();
    await this.b.close();
    this.config.remove();
  }
}

export function dashboardConfig(a: string, b: string, options: ConfigOptions = {}): string {
  return `server: { host: 127.0.0.1, port: 0 }
admin: { tokens: ["\${DASHBOARD_ADMIN_TOKEN}"] }
storage: { url: "sqlite:./usage.sqlite", batch: { interval: 20ms } }
auth: { enabled: true }
routing: { strategy: round_robin, sticky: { enabled: false } }
accounts:
  - { id: acct-a, name: Seat A, kind: openai, baseUrl: "${a}", apiKey: upstream-secret-a }
  - { id: acct-b, name: Seat B, kind: openai, baseUrl: "${b}", apiKey: upstream-secret-b }
models:
  - { id: gpt-test, name: GPT Test, upstreamModel: gpt-upstream, pricing: { input: 2, cachedInput: 1, output: 10 } }
keys:
  - { id: alpha, name: Team Alpha, key: "${ALPHA_KEY}", policies: [team] }
  - { id: beta, name: ${JSON.stringify(options.betaName ?? 'Team Beta')}, key: "${BETA_KEY}" }
policies:
  - { id: team, requests: { limit: 100, per: 1m }, costUsd: { limit: 5, per: 1d } }
${options.extra ?? ''}`;
}
