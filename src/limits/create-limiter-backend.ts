import type { GatewayConfig } from '../config/schema.js';
import type { Logger } from '../shared/logger.js';
import { describeStorageUrl, parseStorageUrl } from '../store/storage-url.js';
import type { LimiterBackend } from './limiter-backend.js';
import { MemoryLimiterBackend } from './memory-backend.js';
import { MysqlLimiterBackend } from './mysql-backend.js';
import { RedisLimiterBackend } from './redis-backend.js';
import { SqliteLimiterBackend } from './sqlite-backend.js';

export interface BackendOverrides {
  /** Redis key prefix (default `codex-lb`). */
  namespace?: string;
  /** SQL table name (default `codex_lb_limits`). */
  tableName?: string;
}

/**
 * The counter store named by `limits.store`: `memory`, a `redis://` URL, or `sql` (the database
 * of `storage.url`). Read once at startup: changing it needs a restart, since counters cannot
 * move between stores.
 */
export async function createLimiterBackend(config: GatewayConfig, logger: Logger, overrides: BackendOverrides = {}): Promise<LimiterBackend> {
  const store = config.limits.store;
  if (store === 'memory') return new MemoryLimiterBackend();
  if (store === 'sql') {
    const location = parseStorageUrl(config.storage.url);
    if (location.dialect === 'sqlite') {
      return SqliteLimiterBackend.open({ storagePath: location.path, logger, tableName: overrides.tableName });
    }
    return MysqlLimiterBackend.open({ location, description: describeStorageUrl(config.storage.url), logger, tableName: overrides.tableName });
  }
  const redis = new RedisLimiterBackend({ url: store, logger, namespace: overrides.namespace });
  // Counting in memory while a reachable Redis is still connecting would split the first
  // requests' counts from the other instances': wait a moment for it. An unreachable Redis
  // does not stop the gateway (it counts in memory and says so).
  await redis.ready(STARTUP_WAIT_MS).catch(() => undefined);
  return redis;
}

const STARTUP_WAIT_MS = 3_000;
