import { Counter, Histogram, type Registry } from 'prom-client';
import type { UsageRecord } from '../usage/usage-record.js';

/** Label value for "none" (no account tried, no HTTP status): empty, which PromQL treats as absent. */
export const NO_VALUE = '';

/**
 * Seconds. LLM answers range from a few ms (errors, cached embeddings) to minutes (long
 * reasoning streams), so the buckets span both ends.
 */
const LATENCY_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300];
const TTFB_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60];

/** The token kinds of a usage record, as the `type` label spells them. */
const TOKEN_TYPES = [
  ['input', 'inputTokens'],
  ['cached_input', 'cachedInputTokens'],
  ['output', 'outputTokens'],
  ['reasoning', 'reasoningTokens'],
] as const;

type RequestLabel = 'key' | 'model' | 'account' | 'status';
type TimingLabel = 'model' | 'endpoint' | 'stream';

/** The running totals of one (key, model, account, status) combination. */
interface Row {
  readonly labels: { key: string; model: string; account: string; status: string };
  requests: number;
  /** In TOKEN_TYPES order. */
  readonly tokens: [number, number, number, number];
  costMicroUsd: number;
}

/**
 * The per-request figures, fed one finished request (its usage record) at a time. Every label
 * value comes from the config (key, account and model ids) or from small fixed sets (status,
 * endpoint, stream, token type); the caller passes a model label it has checked against the
 * config, since a record of a refused request carries the client's own `model` string.
 *
 * On the request path the counters are plain additions into one row per label combination
 * (prom-client would hash a label set per increment, six times per request); they are copied
 * into the registry's counters when Prometheus scrapes. The histograms observe directly.
 */
export class RequestMetrics {
  private readonly rows = new Map<string, Row>();
  private readonly duration: Histogram<TimingLabel>;
  private readonly ttfb: Histogram<TimingLabel>;

  constructor(registry: Registry) {
    const registers = [registry];
    const rows = this.rows;
    new Counter<RequestLabel>({
      name: 'codex_lb_requests_total',
      help: 'Proxied requests that finished, by API key id, model id, the account that served (or last failed) them and the HTTP status sent',
      labelNames: ['key', 'model', 'account', 'status'],
      registers,
      collect() {
        this.reset();
        for (const row of rows.values()) this.inc(row.labels, row.requests);
      },
    });
    new Counter<'key' | 'model' | 'account' | 'type'>({
      name: 'codex_lb_tokens_total',
      help: 'Tokens the upstreams reported, by type: input (cached_input is part of it), output (reasoning is part of it)',
      labelNames: ['key', 'model', 'account', 'type'],
      registers,
      collect() {
        this.reset();
        for (const { labels, tokens } of rows.values()) {
          TOKEN_TYPES.forEach(([type], i) => {
            if (tokens[i]! > 0) this.inc({ key: labels.key, model: labels.model, account: labels.account, type }, tokens[i]);
          });
        }
      },
    });
    new Counter<'key' | 'model'>({
      name: 'codex_lb_cost_micro_usd_total',
      help: 'Priced cost of the answered requests in micro-USD (1e-6 USD); requests of unknown price add nothing',
      labelNames: ['key', 'model'],
      registers,
      collect() {
        this.reset();
        for (const { labels, costMicroUsd } of rows.values()) if (costMicroUsd > 0) this.inc({ key: labels.key, model: labels.model }, costMicroUsd);
      },
    });
    const timing = (name: string, help: string, buckets: number[]) => new Histogram<TimingLabel>({ name, help, labelNames: ['model', 'endpoint', 'stream'], buckets, registers });
    this.duration = timing('codex_lb_request_duration_seconds', 'Time from receiving a proxied request to its last byte (streams: the whole stream)', LATENCY_BUCKETS);
    this.ttfb = timing(
      'codex_lb_time_to_first_byte_seconds',
      'Time from receiving a proxied request to the first byte of its answer body; requests that sent no body are not observed',
      TTFB_BUCKETS,
    );
  }

  observe(record: UsageRecord, model: string): void {
    const account = record.accountId ?? NO_VALUE;
    const status = String(record.status);
    // Ids cannot contain a space (config ids are [A-Za-z0-9._:@/-]), so the joined key is unambiguous.
    const id = `${record.keyId} ${model} ${account} ${status}`;
    let row = this.rows.get(id);
    if (row === undefined) {
      row = { labels: { key: record.keyId, model, account, status }, requests: 0, tokens: [0, 0, 0, 0], costMicroUsd: 0 };
      this.rows.set(id, row);
    }
    row.requests += 1;
    const usage = record.usage;
    if (usage !== null) {
      TOKEN_TYPES.forEach(([, field], i) => {
        const count = usage[field];
        if (Number.isFinite(count) && count > 0) row.tokens[i] += count;
      });
    }
    if (record.costMicroUsd !== null && record.costMicroUsd > 0) row.costMicroUsd += record.costMicroUsd;
    const timing = { model, endpoint: record.endpoint, stream: record.stream ? 'true' : 'false' };
    this.duration.observe(timing, record.latencyMs / 1000);
    if (record.ttftMs !== null) this.ttfb.observe(timing, record.ttftMs / 1000);
  }
}
