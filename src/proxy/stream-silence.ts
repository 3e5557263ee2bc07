import { performance } from 'node:perf_hooks';

/**
 * The two silences of a relayed stream on one timer: the upstream silent for `idleMs` (the
 * stream is cut off) and the client sent nothing for `keepAliveMs` (a keep-alive comment goes
 * out). Each chunk only notes the time; the timer, re-armed when it fires, works out which
 * deadline is next. A timer per silence, refreshed on every chunk, re-inserted two timers into
 * Node's timer lists per chunk of every stream.
 */
export class StreamSilence {
  private lastChunk: number;
  private lastWrite: number;
  private timer: NodeJS.Timeout;

  constructor(
    private readonly idleMs: number,
    private readonly keepAliveMs: number,
    private readonly onIdle: () => void,
    private readonly onKeepAlive: () => void,
  ) {
    this.lastChunk = this.lastWrite = performance.now();
    this.timer = setTimeout(() => this.check(), Math.min(idleMs, keepAliveMs));
  }

  /** A chunk came from upstream. */
  chunk(): void {
    this.lastChunk = performance.now();
  }

  /** Something was written to the client. */
  wrote(): void {
    this.lastWrite = performance.now();
  }

  stop(): void {
    clearTimeout(this.timer);
  }

  private check(): void {
    const now = performance.now();
    if (now - this.lastChunk >= this.idleMs) {
      this.onIdle();
      return;
    }
    if (now - this.lastWrite >= this.keepAliveMs) {
      this.onKeepAlive();
      this.lastWrite = now;
    }
    const next = Math.min(this.lastChunk + this.idleMs, this.lastWrite + this.keepAliveMs) - now;
    // A timer may fire a fraction of a millisecond early: then it waits for the rest.
    this.timer = setTimeout(() => this.check(), Math.max(1, Math.ceil(next)));
  }
}
