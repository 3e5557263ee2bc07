import { collectDefaultMetrics, Counter, Registry } from 'prom-client';
import type { AccountFailure } from '../routing/cooldown-policy.js';
import type { GatewayEvents } from '../runtime/events.js';
import type { Snapshot } from '../runtime/snapshot.js';
import type { EventBus } from '../shared/event-bus.js';
import type { UsageRecord } from '../usage/usage-record.js';
import { ReloadMetrics } from './reload-metrics.js';
import { NO_VALUE, RequestMetrics } from './request-metrics.js';
import { registerStateGauges, type StateSources } from './state-gauges.js';

/** Model label of a request whose `model` is not a configured model id (refused as unknown, or removed by a reload). */
export const UNKNOWN_MODEL = '_unknown';

export interface GatewayMetricsOptions extends StateSources {
  /** Node's process metrics (CPU, memory, event loop, GC, handles); default true. */
  processMetrics?: boolean;
}

export interface MetricsPage {
  contentType: string;
  body: string;
}

/**
 * The Prometheus metrics of one gateway, in a registry of its own (several gateways can run in
 * one process, e.g. in tests; prom-client's global registry would mix them up). Request figures
 * arrive from the bus (`request.completed`, `config.*`) and from failed upstream attempts; state
 * (cooldowns, recorder backlog) is read only when Prometheus scrapes.
 */
export class GatewayMetrics {
  readonly registry = new Registry();
  private readonly requests: RequestMetrics;
  private readonly reloads: ReloadMetrics;
  private readonly upstreamErrors: Counter<'account' | 'kind' | 'status'>;
  private readonly sources: GatewayMetricsOptions;

  constructor(options: GatewayMetricsOptions) {
    this.sources = options;
    if (options.processMetrics !== false) collectDefaultMetrics({ register: this.registry });
    this.requests = new RequestMetrics(this.registry);
    this.reloads = new ReloadMetrics(this.registry, options.snapshot());
    this.upstreamErrors = new Counter({
      name: 'codex_lb_upstream_errors_total',
      help: 'Failed upstream attempts (each failover step counts) by account, failure kind (rate_limited, server_error, network, timeout) and upstream HTTP status',
      labelNames: ['account', 'kind', 'status'],
      registers: [this.registry],
    });
    registerStateGauges(this.registry, options);
  }

  /** Listens to the gateway's bus; returns the unsubscribe function. */
  subscribe(bus: EventBus<GatewayEvents>): () => void {
    const off = [
      bus.subscribe('request.completed', (record) => this.requestCompleted(record)),
      bus.subscribe('config.applied', (result) => this.reloads.applied(result)),
      bus.subscribe('config.rejected', () => this.reloads.rejected()),
    ];
    return () => off.forEach((unsubscribe) => unsubscribe());
  }

  requestCompleted(record: UsageRecord): void {
    this.requests.observe(record, modelLabel(this.sources.snapshot(), record.model));
  }

  /** One failed upstream attempt (called by the account state store on every failure it records). */
  upstreamFailed(accountId: string, failure: AccountFailure): void {
    this.upstreamErrors.inc({ account: accountId, kind: failure.kind, status: failure.status === null ? NO_VALUE : String(failure.status) });
  }

  /** The text exposition format, as Prometheus scrapes it. */
  async render(): Promise<MetricsPage> {
    return { contentType: this.registry.contentType, body: await this.registry.metrics() };
  }
}

/** Only configured model ids become label values: a client's made-up names must not mint series. */
function modelLabel(snapshot: Snapshot, model: string): string {
  return snapshot.models.has(model) ? model : UNKNOWN_MODEL;
}
