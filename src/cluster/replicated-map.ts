import { TtlMap, type ExpiringMap } from '../routing/ttl-map.js';
import type { Clock } from '../shared/clock.js';
import type { RedisLink } from './redis-link.js';
import { scanKeys } from './shared-account-state.js';

interface Entry {
  value: string;
  /** When this instance last told the others about the entry (or heard of it). */
  sharedAt: number;
}

type MapMessage = { k: string; v: string; ttl: number } | { k: string; d: true };

/**
 * An expiring map every instance holds a replica of (sticky sessions: session → account), so the
 * request path reads local memory only. A write goes out through pub/sub (and to a Redis key with
 * the same TTL, which an instance starting later loads) when it is new or moves the session to
 * another account, and otherwise at most every quarter TTL to keep the replicas from expiring
 * while the session is in use: one message per new session, not one per request.
 *
 * The trade-off: the replicas converge within a pub/sub hop (well under the time a client takes
 * to send its next turn), and while Redis is down each instance keeps its own bindings; two
 * instances binding a new session at the same instant keep the last word they heard.
 */
export class ReplicatedTtlMap implements ExpiringMap<string> {
  private readonly local: TtlMap<Entry>;

  constructor(
    private readonly link: RedisLink,
    private readonly name: string,
    private readonly clock: Clock,
    private readonly maxEntries = 100_000,
  ) {
    this.local = new TtlMap(maxEntries, () => clock.now());
  }

  get size(): number {
    return this.local.size;
  }

  get(key: string): string | undefined {
    return this.local.get(key)?.value;
  }

  set(key: string, value: string, ttlMs: number): void {
    const now = this.clock.now();
    const current = this.local.get(key);
    const due = current === undefined || current.value !== value || now - current.sharedAt >= ttlMs / 4;
    // A binding made while Redis is down goes out with the session's next request after it is back.
    const share = due && this.link.isUp;
    this.local.set(key, { value, sharedAt: share ? now : due ? 0 : (current?.sharedAt ?? 0) }, ttlMs);
    if (!share) return;
    this.link.publish(this.name, JSON.stringify({ k: key, v: value, ttl: ttlMs } satisfies MapMessage));
    this.link.client.set(this.redisKey(key), value, 'PX', Math.max(1, Math.round(ttlMs))).catch(() => undefined);
  }

  delete(key: string): void {
    this.local.delete(key);
    if (!this.link.isUp) return;
    this.link.publish(this.name, JSON.stringify({ k: key, d: true } satisfies MapMessage));
    this.link.client.del(this.redisKey(key)).catch(() => undefined);
  }

  /** Listens for the other instances' writes, then loads what they stored before (in the background). */
  async start(): Promise<void> {
    await this.link.listen(this.name, (_origin, body) => this.receive(JSON.parse(body) as MapMessage));
    if (this.link.isUp) void this.load().catch(() => undefined);
  }

  private receive(message: MapMessage): void {
    if ('d' in message) this.local.delete(message.k);
    else this.local.set(message.k, { value: message.v, sharedAt: this.clock.now() }, message.ttl);
  }

  private async load(): Promise<void> {
    const prefix = this.redisKey('');
    const keys = await scanKeys(this.link, `${prefix}*`, this.maxEntries);
    for (let i = 0; i < keys.length; i += 500) {
      const batch = keys.slice(i, i + 500);
      const pipeline = this.link.client.pipeline();
      for (const key of batch) pipeline.get(key).pttl(key);
      const results = (await pipeline.exec()) ?? [];
      batch.forEach((key, index) => {
        const value = results[index * 2]?.[1];
        const ttl = results[index * 2 + 1]?.[1];
        const sessionKey = key.slice(prefix.length);
        // What this instance bound meanwhile is newer than what it reads now.
        if (typeof value === 'string' && typeof ttl === 'number' && ttl > 0 && this.local.get(sessionKey) === undefined) {
          this.local.set(sessionKey, { value, sharedAt: this.clock.now() }, ttl);
        }
      });
    }
  }

  private redisKey(key: string): string {
    return this.link.key(this.name, key);
  }
}
