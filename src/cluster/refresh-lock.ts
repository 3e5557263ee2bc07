import { randomUUID } from 'node:crypto';
import type { Logger } from '../shared/logger.js';
import type { RedisLink } from './redis-link.js';

export interface RefreshLockOptions {
  /**
   * How long a lock lives when its holder dies mid-refresh. Longer than the OAuth request's own
   * timeout (30 s), so a slow refresh never loses its lock to a second refresher.
   */
  ttlMs?: number;
  /** How often a waiting instance tries again. */
  pollMs?: number;
}

/**
 * One token refresh per ChatGPT account for the whole cluster: a Redis lock (`SET NX PX`, freed
 * with a compare-and-delete so an expired holder cannot free its successor's lock) around the
 * TokenManager's refresh. The winner refreshes and stores the sealed tokens in the shared SQL
 * store; the others wait for the lock, then find the new tokens in the vault (the TokenManager
 * re-reads it under the lock) and do not refresh. `announce` tells idle instances to adopt them
 * at once. With Redis unreachable an instance refreshes on its own (and says so): a possible
 * double refresh beats a seat that cannot refresh at all.
 */
export class RedisRefreshLock {
  private readonly ttlMs: number;
  private readonly pollMs: number;

  constructor(
    private readonly link: RedisLink,
    private readonly logger: Logger,
    private readonly onAnnounce: (accountId: string) => void,
    options: RefreshLockOptions = {},
  ) {
    this.ttlMs = options.ttlMs ?? 45_000;
    this.pollMs = options.pollMs ?? 100;
  }

  async exclusive(accountId: string, task: () => Promise<void>): Promise<void> {
    const key = this.link.key('refresh-lock', accountId);
    const token = randomUUID();
    const held = await this.acquire(key, token, accountId);
    try {
      await task();
    } finally {
      if (held) await this.link.client.eval(RELEASE, 1, key, token).catch(() => undefined);
    }
  }

  announce(accountId: string): void {
    this.onAnnounce(accountId);
  }

  private async acquire(key: string, token: string, accountId: string): Promise<boolean> {
    // A dead holder's lock expires after ttlMs: waiting a little longer than that always ends.
    const deadline = Date.now() + this.ttlMs + 5_000;
    for (;;) {
      try {
        if ((await this.link.client.set(key, token, 'PX', this.ttlMs, 'NX')) === 'OK') return true;
      } catch {
        this.logger.warn({ account: accountId }, `account '${accountId}': refreshing without the cluster lock (its Redis is unreachable); another instance may refresh too`);
        return false;
      }
      if (Date.now() > deadline) return false;
      await new Promise((resolve) => setTimeout(resolve, this.pollMs));
    }
  }
}

const RELEASE = `if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) else return 0 end`;
