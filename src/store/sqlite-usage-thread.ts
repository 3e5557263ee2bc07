import { Worker } from 'node:worker_threads';
import type { UsageRecord } from '../usage/usage-record.js';
import type { UsageWriteResult, UsageWriter } from '../usage/usage-writer.js';

export type WorkerRequest = { readonly kind: 'write'; readonly id: number; readonly records: readonly UsageRecord[] } | { readonly kind: 'close' };
export type WorkerReply =
  | { readonly id: number; readonly ok: true; readonly result: UsageWriteResult }
  | { readonly id: number; readonly ok: false; readonly message: string; readonly code: string | null };

interface Pending {
  resolve(result: UsageWriteResult): void;
  reject(error: Error): void;
}

/**
 * The UsageWriter of a SQLite file, on a thread of its own (sqlite-usage-worker.ts): inserting a
 * batch is synchronous native work that took about 7 % of the main thread's time per request under
 * load (`npm run bench`), and the main thread is what bounds the gateway's throughput. The worker
 * has its own connection to the file (WAL: the main connection keeps reading while it writes) and
 * runs the same SqlUsageWriter, so the exactly-once contract is unchanged.
 *
 * A write the worker could not do rejects like any store failure, and the recorder retries it.
 * If the thread dies, every write in flight rejects and the next write starts a new thread; the
 * writer skips request ids already stored, so a batch that did land is not counted twice.
 * The thread keeps the process alive only while a write is in flight.
 */
export class SqliteUsageThread implements UsageWriter {
  private worker: Worker | null = null;
  private readonly pending = new Map<number, Pending>();
  private nextId = 1;
  private closed = false;

  constructor(
    private readonly file: string,
    private readonly busyTimeoutMs = 5_000,
  ) {}

  write(records: readonly UsageRecord[]): Promise<UsageWriteResult> {
    if (records.length === 0) return Promise.resolve({ inserted: 0, duplicates: 0 });
    if (this.closed) return Promise.reject(new Error('the usage store is closed'));
    const worker = this.worker ?? this.start();
    return new Promise((resolve, reject) => {
      const id = this.nextId++;
      this.pending.set(id, { resolve, reject });
      if (this.pending.size === 1) worker.ref();
      const message: WorkerRequest = { kind: 'write', id, records };
      try {
        worker.postMessage(message);
      } catch (error) {
        // A record the structured clone refuses: this write fails, the thread carries on.
        this.settle({ id, ok: false, message: error instanceof Error ? error.message : String(error), code: null });
      }
    });
  }

  /** Lets the thread finish what it was given, then closes its connection. */
  async close(): Promise<void> {
    this.closed = true;
    const worker = this.worker;
    if (worker === null) return;
    worker.ref();
    const exited = new Promise<void>((resolve) => worker.once('exit', () => resolve()));
    const message: WorkerRequest = { kind: 'close' };
    worker.postMessage(message);
    await exited;
  }

  private start(): Worker {
    const worker = new Worker(WORKER_URL, { workerData: { file: this.file, busyTimeoutMs: this.busyTimeoutMs } });
    worker.unref();
    worker.on('message', (reply: WorkerReply) => this.settle(reply));
    worker.on('error', (error) => this.abandon(worker, error));
    worker.on('exit', (code) => this.abandon(worker, new Error(`the usage writer thread exited (code ${code})`)));
    this.worker = worker;
    return worker;
  }

  private settle(reply: WorkerReply): void {
    const pending = this.pending.get(reply.id);
    if (pending === undefined) return;
    this.pending.delete(reply.id);
    if (this.pending.size === 0) this.worker?.unref();
    if (reply.ok) {
      pending.resolve(reply.result);
      return;
    }
    const error = new Error(reply.message) as Error & { code?: string };
    if (reply.code !== null) error.code = reply.code;
    pending.reject(error);
  }

  /** The thread is gone: what it had not answered failed (and is retried by the recorder). */
  private abandon(worker: Worker, error: Error): void {
    if (this.worker !== worker) return;
    this.worker = null;
    const failed = [...this.pending.values()];
    this.pending.clear();
    for (const pending of failed) pending.reject(error);
  }
}

/**
 * The worker's module: built, the .js beside this file; run from the TypeScript sources (the test
 * suite, the bench scripts), a bootstrap that loads the .ts through tsx.
 */
const WORKER_URL = new URL(import.meta.url.endsWith('.ts') ? './sqlite-usage-worker.dev.mjs' : './sqlite-usage-worker.js', import.meta.url);
