import { readFile } from 'node:fs/promises';
import type { EventBus } from '../shared/event-bus.js';
import { sha256Hex } from '../shared/hashing.js';
import type { GatewayEvents, ReloadResult } from '../runtime/events.js';
import type { Snapshot } from '../runtime/snapshot.js';

/**
 * Remembers the outcome of the last reload this instance ran, for `configStatus`. Fed by the
 * bus (file watcher, SIGHUP) and by the mutation (whose `unchanged` results are not published).
 */
export class ConfigStatusTracker {
  private last: ReloadResult;
  private lastRejected: ReloadResult | null = null;
  private readonly unsubscribe: Array<() => void>;

  constructor(
    bus: EventBus<GatewayEvents>,
    initial: Snapshot,
    private readonly configPath: string,
  ) {
    this.last = startupResult(initial);
    this.unsubscribe = [bus.subscribe('config.applied', (r) => this.record(r)), bus.subscribe('config.rejected', (r) => this.record(r))];
  }

  record(result: ReloadResult): void {
    this.last = result;
    if (result.status === 'rejected') this.lastRejected = result;
    else if (result.status === 'applied') this.lastRejected = null;
  }

  lastResult(): ReloadResult {
    return this.last;
  }

  rejectedSinceApplied(): ReloadResult | null {
    return this.lastRejected;
  }

  /**
   * False while the file on disk is one that was rejected. A broken edit reverted to the running
   * text is a no-op for the reloader (no event), so the file is re-hashed here to notice it.
   */
  async inSync(running: Snapshot): Promise<boolean> {
    if (this.last.status !== 'rejected') return true;
    try {
      return sha256Hex(await readFile(this.configPath)) === running.hash;
    } catch {
      return false;
    }
  }

  close(): void {
    for (const off of this.unsubscribe) off();
  }
}

function startupResult(snapshot: Snapshot): ReloadResult {
  return {
    status: 'applied',
    trigger: 'startup',
    version: snapshot.version,
    hash: snapshot.hash,
    file: snapshot.file,
    changes: null,
    summary: 'started',
    issues: [],
    at: snapshot.loadedAt,
    durationMs: 0,
  };
}
