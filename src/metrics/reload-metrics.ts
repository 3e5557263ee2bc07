import { Counter, Gauge, type Registry } from 'prom-client';
import type { ReloadResult } from '../runtime/events.js';

/**
 * Config reload outcomes, for the classic alert "the last edit of gateway.yaml was rejected"
 * (`codex_lb_config_last_reload_success == 0`). Startup counts as a successful load: a gateway
 * only runs on a valid file. An unchanged file is not a reload and is not counted.
 */
export class ReloadMetrics {
  private readonly success: Gauge;
  private readonly successAt: Gauge;
  private readonly reloads: Counter<'result'>;

  constructor(registry: Registry, startedWith: { loadedAt: Date }) {
    const registers = [registry];
    this.success = new Gauge({
      name: 'codex_lb_config_last_reload_success',
      help: 'Whether the last config reload was applied (1) or rejected (0, the previous config keeps serving)',
      registers,
    });
    this.successAt = new Gauge({
      name: 'codex_lb_config_last_reload_success_timestamp_seconds',
      help: 'Unix time of the last config load that was applied (startup included)',
      registers,
    });
    this.reloads = new Counter({
      name: 'codex_lb_config_reloads_total',
      help: 'Config reloads by result: applied or rejected',
      labelNames: ['result'],
      registers,
    });
    this.success.set(1);
    this.successAt.set(startedWith.loadedAt.getTime() / 1000);
    // Both series exist from the start, so rate() and alerts see a 0 rather than no data.
    this.reloads.inc({ result: 'applied' }, 0);
    this.reloads.inc({ result: 'rejected' }, 0);
  }

  applied(result: ReloadResult): void {
    this.reloads.inc({ result: 'applied' });
    this.success.set(1);
    this.successAt.set(result.at.getTime() / 1000);
  }

  rejected(): void {
    this.reloads.inc({ result: 'rejected' });
    this.success.set(0);
  }
}
