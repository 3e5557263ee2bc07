import type { Clock } from '../shared/clock.js';
import { TtlMap, type ExpiringMap } from './ttl-map.js';

/**
 * Session affinity: one conversation stays on one account, which keeps the upstream prompt cache
 * warm and keeps `reasoning.encrypted_content` valid (it only decrypts on the account that issued
 * it). Long-lived, outside the snapshot, bounded so hostile keys cannot grow it without limit.
 * Several instances pass a map replicated through the cluster (src/cluster/replicated-map.ts),
 * so a session keeps its account whichever instance the load balancer picks.
 */
export class StickySessions {
  private readonly map: ExpiringMap<string>;

  constructor(clock: Clock, options: { maxEntries?: number; map?: ExpiringMap<string> } = {}) {
    this.map = options.map ?? new TtlMap(options.maxEntries ?? 100_000, () => clock.now());
  }

  accountFor(sessionKey: string): string | undefined {
    return this.map.get(sessionKey);
  }

  /** Records (or refreshes) the account that served the session; the TTL restarts each time. */
  bind(sessionKey: string, accountId: string, ttlMs: number): void {
    this.map.set(sessionKey, accountId, ttlMs);
  }

  forget(sessionKey: string): void {
    this.map.delete(sessionKey);
  }

  get size(): number {
    return this.map.size;
  }
}
