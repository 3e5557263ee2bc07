/** What session affinity needs of a map: TtlMap here, a cluster-replicated one with several instances. */
export interface ExpiringMap<V> {
  readonly size: number;
  get(key: string): V | undefined;
  set(key: string, value: V, ttlMs: number): void;
  delete(key: string): void;
}

/**
 * A bounded map whose entries expire. Insertion order doubles as recency (a write re-inserts),
 * so evicting the oldest entry when full is O(1). Expired entries are dropped when read or when
 * they reach the front; no timers, so it costs nothing while idle.
 */
export class TtlMap<V> implements ExpiringMap<V> {
  private readonly entries = new Map<string, { value: V; expiresAt: number }>();

  constructor(
    private readonly maxEntries: number,
    private readonly now: () => number,
  ) {}

  get size(): number {
    return this.entries.size;
  }

  get(key: string): V | undefined {
    const entry = this.entries.get(key);
    if (entry === undefined) return undefined;
    if (entry.expiresAt <= this.now()) {
      this.entries.delete(key);
      return undefined;
    }
    return entry.value;
  }

  set(key: string, value: V, ttlMs: number): void {
    const expiresAt = this.now() + ttlMs;
    this.entries.delete(key);
    this.entries.set(key, { value, expiresAt });
    this.evict();
  }

  delete(key: string): void {
    this.entries.delete(key);
  }

  private evict(): void {
    const now = this.now();
    for (const [key, entry] of this.entries) {
      if (this.entries.size > this.maxEntries || entry.expiresAt <= now) this.entries.delete(key);
      else break;
    }
  }
}
