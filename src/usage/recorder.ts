import { performance } from 'node:perf_hooks';
import type { Logger } from '../shared/logger.js';
import { backoffDelay, DEFAULT_BACKOFF, type BackoffSettings } from './backoff.js';
import { UsageSpool, type ReadSegment } from './spool.js';
import type { UsageRecord, UsageSink } from './usage-record.js';
import type { UsageWriter } from './usage-writer.js';

export interface RecorderOptions {
  writer: UsageWriter;
  logger: Logger;
  /** Directory of the overflow spool (created when missing). */
  spoolDir: string;
  /** Most records per transaction (default 500). */
  batchSize?: number;
  /** Longest a record waits in memory before its batch is written, in ms (default 100). */
  intervalMs?: number;
  /** Records kept in memory while the store fails; later ones go to the spool (default 10,000). */
  bufferLimit?: number;
  backoff?: Partial<BackoffSettings>;
  /** How long close() keeps trying the store before it spools what is left (default 10 s). */
  closeTimeoutMs?: number;
  /** Told after every batch the store took, with the records it inserted (the live usage views re-read then). */
  onStored?: (inserted: number) => void;
}

export interface RecorderStats {
  /** Records in memory, not yet in the store. */
  queued: number;
  /** Records in the spool (on disk or about to be). */
  spooled: number;
  spoolBytes: number;
  /** Records inserted into the store since start. */
  written: number;
  /** Records skipped because the store already had their request id (retries, replays). */
  duplicates: number;
  /** Failed write attempts since start. */
  failures: number;
  consecutiveFailures: number;
  lastError: { message: string; at: number } | null;
  lastWriteAt: number | null;
  state: 'ok' | 'retrying' | 'closed';
}

/**
 * The batching usage recorder (the UsageSink behind every request).
 *
 * `record()` only appends to an array: it never waits on I/O and never throws. A single pump
 * writes the queue in batches, each one transaction, when a batch is full or its oldest record is
 * `intervalMs` old; under load, records arriving during one write form the next batch.
 *
 * When the store fails, records stay in memory (up to `bufferLimit`) and the pump retries with
 * exponential backoff; past the limit they go to the spool on disk. The queue is one FIFO:
 * memory is its head, the spool its tail, and while the spool holds anything new records join it
 * there, so the store receives them in arrival order. The writer skips request ids it already
 * has, which makes every retry and every replay (also after a crash between commit and segment
 * deletion) count exactly once.
 *
 * Durability: a record is safe once in the store or fsync'd in the spool. `close()` (SIGTERM)
 * writes everything, or spools what the store would not take before `closeTimeoutMs`. A SIGKILL
 * loses what was only in memory: with a healthy store, the records of the last `intervalMs` plus
 * the batch being written; during an outage, also the in-memory buffer (≤ `bufferLimit`) and the
 * spool appends of the last flush interval.
 */
export class UsageRecorder implements UsageSink {
  private readonly writer: UsageWriter;
  private readonly logger: Logger;
  private readonly spool: UsageSpool;
  private readonly batchSize: number;
  private readonly intervalMs: number;
  private readonly bufferLimit: number;
  private readonly backoff: BackoffSettings;
  private readonly closeTimeoutMs: number;

  private memory: UsageRecord[] = [];
  /** performance.now() at which each memory record arrived (parallel to `memory`). */
  private arrivals: number[] = [];
  private replay: (ReadSegment & { next: number }) | null = null;
  private pumping: Promise<void> | null = null;
  private timer: NodeJS.Timeout | null = null;
  private timerDue = Infinity;
  private retryPending = false;
  private closing = false;
  /** Set at the end of close(): from then on record() writes to the spool synchronously. */
  private sealed = false;
  private closed = false;
  private closePromise: Promise<void> | null = null;
  private drainDeadline = Infinity;
  private readonly stat = { written: 0, duplicates: 0, failures: 0, consecutiveFailures: 0 };
  private lastError: RecorderStats['lastError'] = null;
  private lastWriteAt: number | null = null;
  private readonly onStored: (inserted: number) => void;

  constructor(options: RecorderOptions) {
    this.writer = options.writer;
    this.onStored = options.onStored ?? (() => undefined);
    this.logger = options.logger;
    this.bufferLimit = Math.max(1, options.bufferLimit ?? 10_000);
    this.batchSize = Math.max(1, Math.min(options.batchSize ?? 500, this.bufferLimit));
    this.intervalMs = Math.max(0, options.intervalMs ?? 100);
    this.backoff = { ...DEFAULT_BACKOFF, ...options.backoff };
    this.closeTimeoutMs = options.closeTimeoutMs ?? 10_000;
    this.spool = new UsageSpool({ dir: options.spoolDir, logger: options.logger, flushIntervalMs: this.intervalMs || 50 });
    if (this.spool.hasData()) {
      this.logger.info({ records: this.spool.records, dir: options.spoolDir }, 'replaying usage records spooled by a previous run');
      this.schedule(0);
    }
  }

  record(record: UsageRecord): void {
    if (this.sealed) {
      // Late records (a stream finishing after shutdown began) still must not be lost.
      this.spoolLate(record);
      return;
    }
    if (this.spool.hasData() || this.memory.length >= this.bufferLimit) {
      this.spool.append(record);
      if (!this.retryPending) this.schedule(this.intervalMs);
      return;
    }
    this.memory.push(record);
    this.arrivals.push(performance.now());
    if (this.memory.length >= this.batchSize) this.schedule(0);
    else if (this.memory.length === 1) this.schedule(this.intervalMs);
  }

  stats(): RecorderStats {
    return {
      queued: this.memory.length,
      spooled: this.spool.records,
      spoolBytes: this.spool.bytes,
      ...this.stat,
      lastError: this.lastError,
      lastWriteAt: this.lastWriteAt,
      state: this.closed ? 'closed' : this.stat.consecutiveFailures > 0 ? 'retrying' : 'ok',
    };
  }

  /** Resolves when everything recorded so far is in the store (tests, `codex-lb` tooling). Rejects after `timeoutMs`. */
  async drain(timeoutMs = 30_000): Promise<void> {
    const deadline = performance.now() + timeoutMs;
    while (this.memory.length > 0 || this.spool.hasData()) {
      if (performance.now() > deadline) throw new Error(`usage recorder did not drain within ${timeoutMs} ms`);
      if (!this.retryPending) await this.runPump(true);
      if (this.memory.length > 0 || this.spool.hasData()) await sleep(20);
    }
  }

  /** Flush everything (SIGTERM). Idempotent. After it, record() spools synchronously. */
  close(): Promise<void> {
    this.closePromise ??= this.shutdown();
    return this.closePromise;
  }

  private async shutdown(): Promise<void> {
    this.closing = true;
    this.clearTimer();
    this.drainDeadline = performance.now() + this.closeTimeoutMs;
    let attempt = 0;
    while ((this.memory.length > 0 || this.spool.hasData()) && performance.now() < this.drainDeadline) {
      const failuresBefore = this.stat.failures;
      await withTimeout(this.runPump(true), this.drainDeadline - performance.now());
      if (this.stat.failures > failuresBefore) {
        attempt += 1;
        await sleep(Math.min(backoffDelay(attempt, this.backoff), this.drainDeadline - performance.now()));
      }
    }
    // What the store did not take goes to disk. A batch still in flight is spooled too: if its
    // commit lands after all, the replay skips those ids.
    this.sealed = true;
    if (this.memory.length > 0) {
      this.logger.warn({ records: this.memory.length }, 'usage store unavailable at shutdown; spooling records');
      const head = this.memory;
      this.memory = [];
      this.arrivals = [];
      try {
        await this.spool.prepend(head);
      } catch (error) {
        this.logger.error({ err: error, records: head.length }, 'usage records could not be spooled at shutdown');
      }
    }
    try {
      await this.spool.close();
    } catch (error) {
      this.logger.error({ err: error }, 'usage spool could not be made durable at shutdown');
    }
    this.closed = true;
  }

  private schedule(delayMs: number): void {
    if (this.closing || this.retryPending) return;
    const due = performance.now() + delayMs;
    if (this.timer && this.timerDue <= due) return;
    this.clearTimer();
    this.timerDue = due;
    this.timer = setTimeout(() => {
      this.timer = null;
      this.timerDue = Infinity;
      void this.runPump(false);
    }, delayMs);
    // The recorder never keeps the process alive on its own; close() is what flushes at exit.
    this.timer.unref();
  }

  private clearTimer(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    this.timerDue = Infinity;
    this.retryPending = false;
  }

  private runPump(force: boolean): Promise<void> {
    this.pumping ??= this.pump(force).finally(() => {
      this.pumping = null;
    });
    return this.pumping;
  }

  private async pump(force: boolean): Promise<void> {
    this.retryPending = false;
    try {
      for (;;) {
        if (this.closed || (this.closing && performance.now() > this.drainDeadline)) return;
        if (this.memory.length > 0 && (force || this.closing || this.isDue() || this.spool.hasData())) {
          await this.writeMemoryBatch();
        } else if (this.memory.length === 0 && this.spool.hasData()) {
          await this.replayStep();
        } else {
          break;
        }
      }
      if (this.memory.length > 0) this.schedule(Math.max(0, this.arrivals[0]! + this.intervalMs - performance.now()));
    } catch (error) {
      this.onFailure(error);
    }
  }

  private isDue(): boolean {
    return this.memory.length >= this.batchSize || performance.now() - this.arrivals[0]! >= this.intervalMs;
  }

  private async writeMemoryBatch(): Promise<void> {
    const batch = this.memory.slice(0, this.batchSize);
    const result = await this.writer.write(batch);
    // Only now leave the queue: a failed write keeps them at its head, in order.
    this.memory.splice(0, batch.length);
    this.arrivals.splice(0, batch.length);
    this.onSuccess(result.inserted, result.duplicates);
  }

  /** One step of catching up with the spool: buffered records back to memory, or one batch of the oldest segment. */
  private async replayStep(): Promise<void> {
    if (!this.replay) {
      const reclaimed = this.spool.reclaimBuffered();
      if (reclaimed) {
        const now = performance.now();
        this.memory.push(...reclaimed);
        this.arrivals.push(...reclaimed.map(() => now - this.intervalMs));
        return;
      }
      const read = await this.spool.readOldest();
      if (!read) return;
      this.replay = { ...read, next: 0 };
    }
    const replay = this.replay;
    if (replay.next < replay.records.length) {
      const batch = replay.records.slice(replay.next, replay.next + this.batchSize);
      const result = await this.writer.write(batch);
      replay.next += batch.length;
      this.onSuccess(result.inserted, result.duplicates);
      return;
    }
    await this.spool.remove(replay.segment);
    this.replay = null;
  }

  private onSuccess(inserted: number, duplicates: number): void {
    this.stat.written += inserted;
    if (inserted > 0) this.onStored(inserted);
    this.stat.duplicates += duplicates;
    this.lastWriteAt = Date.now();
    if (this.stat.consecutiveFailures > 0) {
      this.logger.info({ failedAttempts: this.stat.consecutiveFailures }, 'usage store reachable again');
      this.stat.consecutiveFailures = 0;
    }
  }

  private onFailure(error: unknown): void {
    this.stat.failures += 1;
    this.stat.consecutiveFailures += 1;
    const message = error instanceof Error ? error.message : String(error);
    this.lastError = { message, at: Date.now() };
    const n = this.stat.consecutiveFailures;
    // Log the first failure and then at 2, 4, 8 … so a long outage does not flood the log.
    if ((n & (n - 1)) === 0) {
      this.logger.warn({ err: error, attempt: n, queued: this.memory.length, spooled: this.spool.records }, 'usage store write failed; will retry');
    }
    if (this.closing) return;
    const delay = backoffDelay(n, this.backoff);
    this.clearTimer();
    this.timer = setTimeout(() => {
      this.timer = null;
      void this.runPump(true);
    }, delay);
    this.timer.unref();
    this.retryPending = true;
  }

  private spoolLate(record: UsageRecord): void {
    try {
      this.spool.appendSync([record]);
    } catch (error) {
      this.logger.error({ err: error, requestId: record.requestId }, 'usage record after shutdown could not be spooled');
    }
  }
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, Math.max(0, ms)));
}

/** Wait for `promise`, but no longer than `ms`; the timer is cleared so it never holds the process open. */
async function withTimeout(promise: Promise<void>, ms: number): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  try {
    await Promise.race([promise, new Promise<void>((resolve) => (timer = setTimeout(resolve, Math.max(0, ms))))]);
  } finally {
    clearTimeout(timer);
  }
}
