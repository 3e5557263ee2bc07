import type { Logger } from '../shared/logger.js';

/**
 * Whether a shared counter store is reachable, logged once per transition: one line when it goes
 * down (counting moves to this instance's memory), one when it is back. When the store gives no
 * events of its own (SQL), a probe runs while it is down to notice the recovery.
 */
export class StoreHealth {
  private state: 'unknown' | 'up' | 'down' = 'unknown';
  private probeTimer: NodeJS.Timeout | null = null;
  private closed = false;

  constructor(
    private readonly logger: Logger,
    private readonly description: string,
    private readonly probe: (() => Promise<void>) | null = null,
    private readonly probeIntervalMs = 2_000,
  ) {}

  get isDown(): boolean {
    return this.state === 'down';
  }

  get isUp(): boolean {
    return this.state === 'up';
  }

  up(): void {
    if (this.state === 'down') this.logger.info({ store: this.description }, `rate-limit store ${this.description} is reachable again: counting there again`);
    this.state = 'up';
    this.stopProbe();
  }

  down(reason: string): void {
    if (this.closed || this.state === 'down') return;
    this.state = 'down';
    this.logger.warn(
      { store: this.description, reason },
      `rate-limit store ${this.description} is unreachable (${reason}): counting in this instance's memory until it is back`,
    );
    this.startProbe();
  }

  close(): void {
    this.closed = true;
    this.stopProbe();
  }

  private startProbe(): void {
    if (this.probe === null || this.probeTimer !== null) return;
    const probe = this.probe;
    this.probeTimer = setInterval(() => {
      probe().then(
        () => this.up(),
        () => undefined,
      );
    }, this.probeIntervalMs);
    this.probeTimer.unref();
  }

  private stopProbe(): void {
    if (this.probeTimer !== null) clearInterval(this.probeTimer);
    this.probeTimer = null;
  }
}
