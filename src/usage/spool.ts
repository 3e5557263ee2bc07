import { appendFileSync, closeSync, fdatasyncSync, mkdirSync, openSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { open, readFile, rm, type FileHandle } from 'node:fs/promises';
import { join } from 'node:path';
import type { Logger } from '../shared/logger.js';
import type { UsageRecord } from './usage-record.js';

/**
 * The recorder's overflow on local disk: usage records as JSON lines in numbered segment files
 * (`usage-<time>-<pid>-<seq>.jsonl`), oldest first. Appends are buffered and written + fsync'd in
 * batches; a segment is closed at a size limit or when the recorder starts replaying it, then
 * deleted once its records are in the store. Segments left by a previous process are replayed at
 * start. Only the recorder uses it, one at a time: every disk operation runs on one serial chain.
 */
export interface SpoolOptions {
  dir: string;
  logger: Logger;
  /** Buffered appends are made durable at least this often (ms). */
  flushIntervalMs?: number;
  /** …or as soon as this many are buffered. */
  flushRecords?: number;
  /** Records per segment file, which bounds what a replay reads into memory at once. */
  segmentRecords?: number;
}

export interface SpoolSegment {
  readonly path: string;
  records: number;
  bytes: number;
}

export interface ReadSegment {
  segment: SpoolSegment;
  records: UsageRecord[];
}

const SEGMENT_RE = /^usage-\d{13}-\d+-\d{6}\.jsonl$/;

function segmentTime(path: string): number {
  const match = /usage-(\d{13})-/.exec(path);
  return match ? Number(match[1]) : Date.now();
}

export class UsageSpool {
  private readonly dir: string;
  private readonly logger: Logger;
  private readonly flushIntervalMs: number;
  private readonly flushRecords: number;
  private readonly segmentRecords: number;
  /** Complete segments, oldest first (left by a previous run, or rotated by this one). */
  private readonly closed: SpoolSegment[] = [];
  private current: { segment: SpoolSegment; handle: FileHandle } | null = null;
  private buffer: UsageRecord[] = [];
  private writing = 0;
  private chain: Promise<unknown> = Promise.resolve();
  private timer: NodeJS.Timeout | null = null;
  private seq = 0;
  private lastError: Error | null = null;

  constructor(options: SpoolOptions) {
    this.dir = options.dir;
    this.logger = options.logger;
    this.flushIntervalMs = options.flushIntervalMs ?? 100;
    this.flushRecords = options.flushRecords ?? 1_000;
    this.segmentRecords = options.segmentRecords ?? 10_000;
    // Synchronous on purpose: runs once at startup, and the recorder must know before its first
    // record() whether older records are waiting on disk (new ones must queue behind them).
    mkdirSync(this.dir, { recursive: true });
    for (const name of readdirSync(this.dir).filter((n) => SEGMENT_RE.test(n)).sort()) {
      const path = join(this.dir, name);
      const text = readFileSync(path, 'utf8');
      const records = text.split('\n').filter((line) => line.trim() !== '').length;
      this.closed.push({ path, records, bytes: statSync(path).size });
    }
  }

  /** Records waiting in the spool: on disk, being written, or buffered. */
  get records(): number {
    return this.diskRecords() + this.writing + this.buffer.length;
  }

  get bytes(): number {
    return this.closed.reduce((sum, s) => sum + s.bytes, 0) + (this.current?.segment.bytes ?? 0);
  }

  get error(): Error | null {
    return this.lastError;
  }

  hasData(): boolean {
    return this.records > 0;
  }

  /** Queue a record; it is on disk (fsync'd) within `flushIntervalMs`. Never waits. */
  append(record: UsageRecord): void {
    this.buffer.push(record);
    if (this.buffer.length >= this.flushRecords) this.flushInBackground();
    else this.timer ??= setTimeout(() => this.flushInBackground(), this.flushIntervalMs).unref();
  }

  private flushInBackground(): void {
    // A failure is logged and kept in `error`; the records stay buffered for the next flush.
    this.flush().catch(() => undefined);
  }

  /**
   * When nothing is on disk yet, hand the buffered records straight back to the recorder: the
   * store is reachable again, and a write + fsync + read round trip would only slow the catch-up.
   */
  reclaimBuffered(): UsageRecord[] | null {
    if (this.diskRecords() > 0 || this.writing > 0 || this.buffer.length === 0) return null;
    const records = this.buffer;
    this.buffer = [];
    return records;
  }

  /** Write and fsync everything buffered. Resolves once durable; on a disk error keeps the records and rethrows. */
  flush(): Promise<void> {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    return this.serial(() => this.writeBuffered());
  }

  /** The oldest segment's records, closing the current segment first when it is the only one. */
  readOldest(): Promise<ReadSegment | null> {
    return this.serial(async () => {
      await this.writeBuffered();
      if (this.closed.length === 0 && this.current && this.current.segment.records > 0) await this.rotate();
      const segment = this.closed[0];
      if (!segment) return null;
      let text = '';
      try {
        text = await readFile(segment.path, 'utf8');
      } catch (error) {
        // Deleted under us (another instance sharing the directory replayed it): nothing to do.
        if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
      }
      return { segment, records: this.parse(segment.path, text) };
    });
  }

  /** Forget a replayed segment and delete its file. */
  remove(segment: SpoolSegment): Promise<void> {
    return this.serial(async () => {
      await rm(segment.path, { force: true });
      const index = this.closed.indexOf(segment);
      if (index >= 0) this.closed.splice(index, 1);
    });
  }

  /**
   * Put records AHEAD of everything spooled (the recorder's in-memory head at shutdown: while the
   * spool holds anything new records join it, so memory is always older). Written to a segment
   * whose name sorts first, and fsync'd.
   */
  prepend(records: readonly UsageRecord[]): Promise<void> {
    if (records.length === 0) return Promise.resolve();
    return this.serial(async () => {
      const segments = [...this.closed, ...(this.current ? [this.current.segment] : [])];
      const oldest = Math.min(Date.now(), ...segments.map((s) => segmentTime(s.path)));
      const path = this.nextPath(oldest - 1);
      const data = records.map((r) => JSON.stringify(r)).join('\n') + '\n';
      // Counted as in flight while written, so the spool never looks emptier than it is.
      this.writing += records.length;
      try {
        const handle = await open(path, 'a');
        try {
          await handle.write(data);
          await handle.datasync();
        } finally {
          await handle.close();
        }
        this.closed.unshift({ path, records: records.length, bytes: Buffer.byteLength(data) });
      } finally {
        this.writing -= records.length;
      }
    });
  }

  /** For records arriving after close(): written and fsync'd synchronously, in a segment of their own. */
  appendSync(records: readonly UsageRecord[]): void {
    if (records.length === 0) return;
    const path = this.nextPath();
    const data = records.map((r) => JSON.stringify(r)).join('\n') + '\n';
    const fd = openSync(path, 'a');
    try {
      appendFileSync(fd, data);
      fdatasyncSync(fd);
    } finally {
      closeSync(fd);
    }
    this.closed.push({ path, records: records.length, bytes: Buffer.byteLength(data) });
  }

  /** Make everything durable and release the file handle. */
  async close(): Promise<void> {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    await this.serial(async () => {
      await this.writeBuffered();
      await this.rotate();
    });
  }

  private diskRecords(): number {
    return this.closed.reduce((sum, s) => sum + s.records, 0) + (this.current?.segment.records ?? 0);
  }

  private serial<T>(task: () => Promise<T>): Promise<T> {
    const run = this.chain.then(task, task);
    this.chain = run.catch(() => undefined);
    return run;
  }

  private async writeBuffered(): Promise<void> {
    while (this.buffer.length > 0) {
      const current = this.current && this.current.segment.records < this.segmentRecords ? this.current : await this.openNext();
      const room = this.segmentRecords - current.segment.records;
      const batch = this.buffer.splice(0, room);
      this.writing += batch.length;
      const data = batch.map((r) => JSON.stringify(r)).join('\n') + '\n';
      try {
        await current.handle.write(data);
        await current.handle.datasync();
        current.segment.records += batch.length;
        current.segment.bytes += Buffer.byteLength(data);
        this.lastError = null;
      } catch (error) {
        // Keep the records (in order) and report; the recorder retries. A partial line this
        // write may have left is skipped as torn when the segment is read.
        this.buffer.unshift(...batch);
        this.lastError = error as Error;
        this.logger.error({ err: error, dir: this.dir }, 'usage spool write failed');
        throw error;
      } finally {
        this.writing -= batch.length;
      }
    }
  }

  private async openNext(): Promise<{ segment: SpoolSegment; handle: FileHandle }> {
    await this.rotate();
    const path = this.nextPath();
    const handle = await open(path, 'a');
    this.current = { segment: { path, records: 0, bytes: 0 }, handle };
    return this.current;
  }

  private async rotate(): Promise<void> {
    if (!this.current) return;
    const { segment, handle } = this.current;
    // Move it to `closed` before awaiting anything: a segment in neither list would read as an
    // empty spool, and a drain or close could conclude there is nothing left to replay.
    if (segment.records > 0) this.closed.push(segment);
    this.current = null;
    await handle.close();
    if (segment.records === 0) await rm(segment.path, { force: true });
  }

  /** Segment names sort in queue order: by time, then process, then sequence. */
  private nextPath(time = Date.now()): string {
    this.seq += 1;
    const name = `usage-${String(time).padStart(13, '0')}-${process.pid}-${String(this.seq % 1_000_000).padStart(6, '0')}.jsonl`;
    return join(this.dir, name);
  }

  private parse(path: string, text: string): UsageRecord[] {
    const records: UsageRecord[] = [];
    let torn = 0;
    for (const line of text.split('\n')) {
      if (line.trim() === '') continue;
      try {
        const value = JSON.parse(line) as UsageRecord;
        if (typeof value.requestId === 'string' && typeof value.startedAt === 'number') records.push(value);
        else torn += 1;
      } catch {
        torn += 1;
      }
    }
    // Only a crash mid-write tears a line; that record was never acknowledged as durable.
    if (torn > 0) this.logger.warn({ path, torn }, 'skipped unreadable lines in the usage spool');
    return records;
  }
}
