import type { CooldownChange } from '../routing/account-state.js';
import type { Clock } from '../shared/clock.js';
import type { Logger } from '../shared/logger.js';
import type { RedisLink } from './redis-link.js';

/** What this module needs of the router's account state (AccountStateStore). */
export interface CooldownTarget {
  onCooldown(listener: (change: CooldownChange) => void): () => void;
  applyShared(change: CooldownChange): void;
  list(): ReadonlyArray<{ id: string; cooldownUntil: number; cooldownKind: CooldownChange['kind']; cooldownReason: string | null }>;
}

/** Admin pauses (AccountPauses): runtime overrides an operator expects on every instance. */
export interface PauseTarget {
  onChange(listener: (accountId: string, pause: PauseValue | null) => void): () => void;
  applyShared(accountId: string, pause: PauseValue | null): void;
}

interface PauseValue {
  since: number;
  reason: string | null;
}

export interface SharedAccountTargets {
  accounts: CooldownTarget;
  pauses: PauseTarget;
  /** QuotaTracker: a quota another instance observed, as JSON. */
  quotas: { applyShared(accountId: string, json: unknown): void };
  /** TokenManager: another instance stored new tokens for the account. */
  tokens: { vaultChanged(accountId: string): Promise<void> };
}

type AccountMessage =
  | { type: 'cooldown'; change: CooldownChange }
  | { type: 'quota'; accountId: string; quota: unknown }
  | { type: 'pause'; accountId: string; pause: PauseValue | null }
  | { type: 'tokens'; accountId: string };

const CHANNEL = 'accounts';

/**
 * Account state the instances share, so that they route as one gateway: a cooldown one instance
 * starts (an upstream 429, `usage_limit_reached`, repeated 5xx) or ends reaches every other one
 * through pub/sub at once and is kept in a Redis key that expires with it, read by instances
 * that start (or reconnect) later. Quotas, admin pauses and "new tokens in the vault" travel the
 * same way; they are durable in the SQL store already (and read from it at startup). Routing itself keeps reading local
 * memory: no Redis round trip on the request path.
 */
export class SharedAccountState {
  private targets: SharedAccountTargets | null = null;
  private readonly unsubscribe: Array<() => void> = [];

  constructor(
    private readonly link: RedisLink,
    private readonly clock: Clock,
    private readonly logger: Logger,
  ) {}

  /** For QuotaTracker's `share` option (set before the targets exist). */
  readonly shareQuota = (accountId: string, quota: unknown): void => this.send({ type: 'quota', accountId, quota });

  /** For the refresh lock: tokens of the account changed in the vault. */
  announceTokens(accountId: string): void {
    this.send({ type: 'tokens', accountId });
  }

  async start(targets: SharedAccountTargets): Promise<void> {
    this.targets = targets;
    this.unsubscribe.push(
      targets.accounts.onCooldown((change) => this.shareCooldown(change)),
      targets.pauses.onChange((accountId, pause) => this.send({ type: 'pause', accountId, pause })),
    );
    await this.link.listen(CHANNEL, (_origin, body) => this.receive(JSON.parse(body) as AccountMessage));
    this.link.onReconnect(() => void this.resync());
    if (this.link.isUp) await this.loadCooldowns();
  }

  stop(): void {
    for (const off of this.unsubscribe.splice(0)) off();
  }

  private shareCooldown(change: CooldownChange): void {
    this.send({ type: 'cooldown', change });
    const key = this.cooldownKey(change.accountId);
    const ttl = change.until - this.clock.now();
    const write = change.until === 0 || ttl <= 0 ? this.link.client.del(key) : this.link.client.eval(KEEP_LONGER, 1, key, JSON.stringify(change), String(change.until), String(Math.ceil(ttl)));
    write.catch(() => undefined);
  }

  private receive(message: AccountMessage): void {
    const targets = this.targets;
    if (targets === null) return;
    if (message.type === 'cooldown') targets.accounts.applyShared(message.change);
    else if (message.type === 'quota') targets.quotas.applyShared(message.accountId, message.quota);
    else if (message.type === 'pause') targets.pauses.applyShared(message.accountId, message.pause);
    else void targets.tokens.vaultChanged(message.accountId);
  }

  /** Back after an outage: what this instance decided meanwhile goes out, what others decided comes in. */
  private async resync(): Promise<void> {
    const targets = this.targets;
    if (targets === null) return;
    const now = this.clock.now();
    for (const state of targets.accounts.list()) {
      if (state.cooldownUntil > now) this.shareCooldown({ accountId: state.id, until: state.cooldownUntil, kind: state.cooldownKind, reason: state.cooldownReason });
    }
    await this.loadCooldowns().catch((error: unknown) => {
      this.logger.warn({ err: error instanceof Error ? error.message : String(error) }, 'shared cooldowns could not be read after reconnecting');
    });
  }

  private async loadCooldowns(): Promise<void> {
    const targets = this.targets;
    if (targets === null) return;
    const keys = await scanKeys(this.link, this.cooldownKey('*'));
    if (keys.length === 0) return;
    const values = await this.link.client.mget(...keys);
    const now = this.clock.now();
    for (const value of values) {
      if (value === null) continue;
      const change = JSON.parse(value) as CooldownChange;
      if (change.until > now) targets.accounts.applyShared(change);
    }
  }

  private cooldownKey(accountId: string): string {
    return this.link.key('cooldown', accountId);
  }

  private send(message: AccountMessage): void {
    this.link.publish(CHANNEL, JSON.stringify(message));
  }
}

/** Sets the cooldown key unless it already holds a later end (two instances cooling one account). */
const KEEP_LONGER = `
local current = redis.call('GET', KEYS[1])
if current then
  local ok, decoded = pcall(cjson.decode, current)
  if ok and tonumber(decoded['until']) and tonumber(decoded['until']) >= tonumber(ARGV[2]) then return 0 end
end
redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[3])
return 1`;

/** Every key matching `pattern` (SCAN, never KEYS: it does not block Redis). */
export async function scanKeys(link: RedisLink, pattern: string, limit = Number.POSITIVE_INFINITY): Promise<string[]> {
  const keys: string[] = [];
  let cursor = '0';
  do {
    const [next, batch] = await link.client.scan(cursor, 'MATCH', pattern, 'COUNT', 500);
    keys.push(...batch);
    cursor = next;
  } while (cursor !== '0' && keys.length < limit);
  return keys;
}
