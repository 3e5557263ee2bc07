import { performance } from 'node:perf_hooks';
import type { Response } from 'express';
import type { ModelSpec } from '../runtime/snapshot.js';
import type { Logger } from '../shared/logger.js';
import type { Endpoint, TokenUsage, UsageRecord, UsageSink } from '../usage/usage-record.js';
import type { RequestContext } from './request-context.js';

/** Prices a request; null when the price is unknown. Injected: pricing lives in `usage/`. */
export type CostFn = (model: ModelSpec, usage: TokenUsage) => number | null;

export const unknownCost: CostFn = () => null;

/**
 * Collects what one request did and hands exactly one UsageRecord to the sink when the response
 * closes, whatever path it took (success, upstream failure, bad input, client gone).
 */
export class UsageTracker {
  model: ModelSpec | null = null;
  /** The `model` string the client sent, for records of requests refused before resolution. */
  requestedModel = '';
  accountId: string | null = null;
  stream = false;
  errorCode: string | null = null;
  attempts = 0;
  usage: TokenUsage | null = null;
  private firstByteMono: number | null = null;
  private done = false;

  constructor(
    private readonly ctx: RequestContext,
    private readonly endpoint: Endpoint,
    private readonly sink: UsageSink,
    private readonly costOf: CostFn,
    private readonly logger: Logger,
  ) {}

  /** True once the record was handed over (the response closed). */
  get finished(): boolean {
    return this.done;
  }

  markFirstByte(): void {
    if (this.firstByteMono === null) this.firstByteMono = performance.now();
  }

  /** Called from the response's `close`: builds and hands over the record, once. */
  finish(res: Response): void {
    if (this.done) return;
    this.done = true;
    const clientGone = !res.writableFinished;
    // 499 (nginx's "client closed request") when the client left before any answer.
    const status = clientGone && !res.headersSent ? 499 : res.statusCode;
    const errorCode = clientGone ? (this.errorCode ?? 'client_disconnected') : this.errorCode;
    const model = this.model;
    let cost: number | null = null;
    if (model !== null && this.usage !== null) {
      try {
        cost = this.costOf(model, this.usage);
      } catch (error) {
        this.logger.warn({ err: error, model: model.id }, 'pricing failed');
      }
    }
    const record: UsageRecord = {
      requestId: this.ctx.requestId,
      startedAt: this.ctx.startedAt,
      keyId: this.ctx.keyId,
      accountId: this.accountId,
      model: model?.id ?? this.requestedModel,
      upstreamModel: model === null || this.attempts === 0 ? null : model.upstreamModel,
      endpoint: this.endpoint,
      stream: this.stream,
      status,
      errorCode: status >= 400 || clientGone ? (errorCode ?? `http_${status}`) : errorCode,
      attempts: this.attempts,
      usage: this.usage,
      costMicroUsd: cost,
      latencyMs: Math.round(performance.now() - this.ctx.startedMono),
      ttftMs: this.firstByteMono === null ? null : Math.round(this.firstByteMono - this.ctx.startedMono),
      userAgent: this.ctx.userAgent,
    };
    // Charges the actual usage to token/cost budgets and frees concurrency slots (once).
    this.ctx.limits?.finish(record);
    try {
      this.sink.record(record);
    } catch (error) {
      this.logger.error({ err: error, requestId: record.requestId }, 'usage sink failed');
    }
  }
}
