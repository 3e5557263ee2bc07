import { randomBytes } from 'node:crypto';
import { Redis } from 'ioredis';
import { mariadbTarget, type StoreTarget } from '../store/store-targets.js';

/**
 * The shared services a test cluster runs on: MariaDB (`CODEX_LB_TEST_MYSQL_URL`, in a database
 * of its own, dropped afterwards) and Redis (`CODEX_LB_TEST_REDIS_URL`, under a namespace of its
 * own, deleted afterwards). Unset: the suites skip and say why. Set but unreachable: `open`
 * throws, and the suite fails loudly.
 */
export const REDIS_URL = process.env.CODEX_LB_TEST_REDIS_URL ?? '';
export const MYSQL_URL = process.env.CODEX_LB_TEST_MYSQL_URL ?? '';
export const SERVICES_SET = REDIS_URL !== '' && MYSQL_URL !== '';

export function reportSkip(suite: string): void {
  if (SERVICES_SET) return;
  const missing = [REDIS_URL === '' ? 'CODEX_LB_TEST_REDIS_URL' : null, MYSQL_URL === '' ? 'CODEX_LB_TEST_MYSQL_URL' : null].filter(Boolean).join(' and ');
  console.log(
    `[test/cluster] ${missing} not set: skipping ${suite} ` +
      '(run with CODEX_LB_TEST_MYSQL_URL=mysql://root@127.0.0.1:3306/test CODEX_LB_TEST_REDIS_URL=redis://127.0.0.1:6379)',
  );
}

export class ClusterServices {
  private constructor(
    private readonly database: StoreTarget,
    readonly namespace: string,
    readonly redis: Redis,
  ) {}

  static async open(): Promise<ClusterServices> {
    const redis = new Redis(REDIS_URL, { lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => null });
    redis.on('error', () => undefined);
    try {
      await redis.connect();
      await redis.ping();
    } catch (error) {
      redis.disconnect();
      throw new Error(`CODEX_LB_TEST_REDIS_URL (${REDIS_URL}) is unreachable: ${(error as Error).message}`);
    }
    let database: StoreTarget;
    try {
      database = await mariadbTarget(MYSQL_URL)();
    } catch (error) {
      redis.disconnect();
      throw new Error(`CODEX_LB_TEST_MYSQL_URL (${MYSQL_URL}) is unreachable: ${(error as Error).message}`);
    }
    return new ClusterServices(database, `codex-lb-test-${randomBytes(4).toString('hex')}`, redis);
  }

  /** The fresh database's URL, for `storage.url`. */
  get storageUrl(): string {
    return this.database.url;
  }

  /** The sections that join instances into one gateway. */
  yaml(): string {
    return `storage: { url: "${this.storageUrl}", batch: { interval: 20ms } }
limits: { store: "${REDIS_URL}" }
cluster: { redis: "${REDIS_URL}", namespace: "${this.namespace}" }
`;
  }

  async dispose(): Promise<void> {
    try {
      let cursor = '0';
      do {
        const [next, keys] = await this.redis.scan(cursor, 'MATCH', `${this.namespace}:*`, 'COUNT', 500);
        if (keys.length > 0) await this.redis.del(...keys);
        cursor = next;
      } while (cursor !== '0');
    } finally {
      this.redis.disconnect();
      await this.database.dispose();
    }
  }
}
