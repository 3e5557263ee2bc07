import { Gauge, type Registry } from 'prom-client';
import type { Availability } from '../routing/account-state.js';
import type { Snapshot } from '../runtime/snapshot.js';
import type { RecorderStats } from '../usage/recorder.js';

/** What the scrape-time gauges read: nothing is copied on the request path. */
export interface StateSources {
  /** The running config: which accounts to report, the config version. */
  snapshot(): Snapshot;
  /** An account's cooldown right now. */
  availability(accountId: string): Availability;
  /** Attempts running on an account right now. */
  inflight(accountId: string): number;
  /** The usage recorder's counters; null while none is wired (the gauges then read 0). */
  usageStats(): RecorderStats | null;
}

/**
 * Gauges computed when Prometheus scrapes: account cooldowns and in-flight attempts (one series
 * per configured account, so a removed account's series disappears after a reload), the usage
 * recorder's backlog and the running config version.
 */
export function registerStateGauges(registry: Registry, sources: StateSources): void {
  const registers = [registry];
  new Gauge({
    name: 'codex_lb_account_cooling_down',
    help: 'Whether an account is resting after upstream failures (1) or offered to requests (0)',
    labelNames: ['account'],
    registers,
    collect() {
      this.reset();
      for (const id of sources.snapshot().accounts.keys()) this.set({ account: id }, sources.availability(id).available ? 0 : 1);
    },
  });
  new Gauge({
    name: 'codex_lb_account_cooldown_remaining_seconds',
    help: 'Seconds until an account that is cooling down is offered again (0 when it is not)',
    labelNames: ['account'],
    registers,
    collect() {
      this.reset();
      for (const id of sources.snapshot().accounts.keys()) this.set({ account: id }, sources.availability(id).retryInMs / 1000);
    },
  });
  new Gauge({
    name: 'codex_lb_account_inflight_requests',
    help: 'Upstream attempts (streams included) running on an account',
    labelNames: ['account'],
    registers,
    collect() {
      this.reset();
      for (const id of sources.snapshot().accounts.keys()) this.set({ account: id }, sources.inflight(id));
    },
  });
  const recorderGauge = (name: string, help: string, read: (stats: RecorderStats) => number): void => {
    new Gauge({
      name,
      help,
      registers,
      collect() {
        const stats = sources.usageStats();
        this.set(stats === null ? 0 : read(stats));
      },
    });
  };
  recorderGauge('codex_lb_usage_queue_records', 'Usage records in memory, not yet written to the store', (s) => s.queued);
  recorderGauge('codex_lb_usage_spool_records', 'Usage records in the on-disk spool, waiting for the store', (s) => s.spooled);
  recorderGauge('codex_lb_usage_spool_bytes', 'Size of the on-disk usage spool in bytes', (s) => s.spoolBytes);
  recorderGauge('codex_lb_usage_store_consecutive_failures', 'Failed usage-store writes in a row (0 when the last write succeeded)', (s) => s.consecutiveFailures);
  new Gauge({
    name: 'codex_lb_config_version',
    help: 'Version of the running config snapshot (1 at startup, +1 per applied reload)',
    registers,
    collect() {
      this.set(sources.snapshot().version);
    },
  });
}
