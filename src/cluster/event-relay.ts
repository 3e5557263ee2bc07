import type { AccountChange } from '../runtime/account-live-state.js';
import type { GatewayEvents, ReloadResult } from '../runtime/events.js';
import type { EventBus } from '../shared/event-bus.js';
import type { UsageRecord } from '../usage/usage-record.js';
import type { RedisLink } from './redis-link.js';

/** Channel names under the namespace, one per kind so an instance parses only what it listens to. */
const REQUESTS = 'events:requests';
const CONFIG = 'events:config';
const ACCOUNTS = 'events:accounts';

/**
 * Fans the live events out through Redis pub/sub: this instance's `request.completed`,
 * `config.applied`/`config.rejected` and `account.changed` go to the other instances, and
 * theirs come back on the local bus as `remote.*` events with their instance id, which is what
 * the admin subscriptions listen to besides the local ones. Remote events are never published
 * again (no loops), and messages are only parsed while someone on this instance listens.
 * Finished requests, the one per-request event, go out in batches (one message per 50 ms at most),
 * so a busy instance costs Redis a handful of messages a second, not one per request.
 */
export class EventRelay {
  private readonly unsubscribe: Array<() => void> = [];
  private pending: UsageRecord[] = [];
  private flushTimer: NodeJS.Timeout | null = null;

  constructor(
    private readonly link: RedisLink,
    private readonly bus: EventBus<GatewayEvents>,
    /** Requests are sent in batches at most this old: one message per batch, not per request. */
    private readonly batchMs = 50,
  ) {}

  async start(): Promise<void> {
    const { bus, link } = this;
    this.unsubscribe.push(
      bus.subscribe('request.completed', (record) => this.queue(record)),
      bus.subscribe('config.applied', (result) => link.publish(CONFIG, JSON.stringify(result))),
      bus.subscribe('config.rejected', (result) => link.publish(CONFIG, JSON.stringify(result))),
      bus.subscribe('account.changed', (change) => link.publish(ACCOUNTS, JSON.stringify(change))),
    );
    await link.listen(REQUESTS, (instanceId, body) => {
      if (bus.listenerCount('remote.request.completed') === 0) return;
      for (const payload of JSON.parse(body) as UsageRecord[]) bus.publish('remote.request.completed', { instanceId, payload });
    });
    await link.listen(CONFIG, (instanceId, body) => {
      if (bus.listenerCount('remote.config') === 0) return;
      bus.publish('remote.config', { instanceId, payload: reviveReloadResult(JSON.parse(body)) });
    });
    await link.listen(ACCOUNTS, (instanceId, body) => {
      if (bus.listenerCount('remote.account.changed') === 0) return;
      bus.publish('remote.account.changed', { instanceId, payload: JSON.parse(body) as AccountChange });
    });
  }

  stop(): void {
    for (const off of this.unsubscribe.splice(0)) off();
    this.flush();
  }

  private queue(record: UsageRecord): void {
    this.pending.push(record);
    if (this.flushTimer !== null) return;
    this.flushTimer = setTimeout(() => this.flush(), this.batchMs);
    this.flushTimer.unref();
  }

  private flush(): void {
    if (this.flushTimer !== null) clearTimeout(this.flushTimer);
    this.flushTimer = null;
    if (this.pending.length === 0) return;
    const batch = this.pending;
    this.pending = [];
    this.link.publish(REQUESTS, JSON.stringify(batch));
  }
}

/** A ReloadResult parsed from JSON: its `at` travelled as an ISO string. */
export function reviveReloadResult(parsed: unknown): ReloadResult {
  const result = parsed as Omit<ReloadResult, 'at'> & { at: string };
  return { ...result, at: new Date(result.at) };
}
