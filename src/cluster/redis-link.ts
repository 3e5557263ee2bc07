import { Redis } from 'ioredis';
import type { Logger } from '../shared/logger.js';
import { maskUrlPassword } from '../shared/redaction.js';

export type MessageHandler = (origin: string, body: string) => void;

export interface RedisLinkOptions {
  url: string;
  /** Prefix of every key and channel. */
  namespace: string;
  /** This instance: stamped on what it publishes, so it can skip its own messages. */
  instanceId: string;
  logger: Logger;
}

/**
 * The instances' connection to the cluster's Redis: one client for commands, one in subscriber
 * mode (Redis requires a connection of its own for that). Commands never queue while Redis is
 * down: they fail at once and callers fall back to local state, so a Redis outage never stalls a
 * request. One log line when the link goes down and one when it is back; on the way back the
 * `onReconnect` handlers resynchronise what pub/sub missed meanwhile.
 */
export class RedisLink {
  readonly description: string;
  readonly client: Redis;
  private readonly subscriber: Redis;
  private readonly handlers = new Map<string, MessageHandler[]>();
  private readonly reconnectHandlers: Array<() => void> = [];
  private state: 'unknown' | 'up' | 'down' = 'unknown';
  private closing = false;

  constructor(private readonly options: RedisLinkOptions) {
    this.description = maskUrlPassword(options.url);
    const common = { connectTimeout: 2_000, retryStrategy: (attempt: number) => Math.min(attempt * 200, 2_000) };
    this.client = new Redis(options.url, { ...common, enableOfflineQueue: false, maxRetriesPerRequest: 1, commandTimeout: 1_000 });
    // The subscriber's SUBSCRIBE must wait for its connection (and ioredis re-subscribes after a reconnect).
    this.subscriber = new Redis(options.url, { ...common, enableOfflineQueue: true, maxRetriesPerRequest: null });
    this.client.on('ready', () => this.up());
    this.client.on('error', (error: Error) => this.down(error.message || error.name));
    this.client.on('close', () => this.down('connection closed'));
    this.subscriber.on('error', () => undefined);
    this.subscriber.on('message', (channel: string, message: string) => this.dispatch(channel, message));
  }

  get isUp(): boolean {
    return this.state === 'up';
  }

  /** `namespace:part:part…` */
  key(...parts: string[]): string {
    return [this.options.namespace, ...parts].join(':');
  }

  /** Resolves once both connections are ready; rejects after `timeoutMs`. */
  async ready(timeoutMs: number): Promise<void> {
    await Promise.all([waitReady(this.client, timeoutMs, this.description), waitReady(this.subscriber, timeoutMs, this.description)]);
  }

  /** Listens on `namespace:<name>`; messages this instance published are not delivered to it. */
  async listen(name: string, handler: MessageHandler): Promise<void> {
    const channel = this.key(name);
    const list = this.handlers.get(channel);
    if (list !== undefined) {
      list.push(handler);
      return;
    }
    this.handlers.set(channel, [handler]);
    const subscribed = this.subscriber.subscribe(channel);
    // Connected: return once subscribed, so nothing published afterwards is missed. Not
    // connected: the subscription is queued and sent (and renewed) whenever Redis is back.
    if (this.subscriber.status === 'ready') await subscribed;
    else subscribed.catch(() => undefined);
  }

  /** Fire and forget: while Redis is down the message is lost (reconnect handlers resync state). */
  publish(name: string, body: string): void {
    if (this.state !== 'up') return;
    this.client.publish(this.key(name), `${this.options.instanceId}\n${body}`).catch(() => undefined);
  }

  /** Called each time the link is back after being down. */
  onReconnect(handler: () => void): void {
    this.reconnectHandlers.push(handler);
  }

  async close(): Promise<void> {
    this.closing = true;
    await Promise.all([this.client, this.subscriber].map((c) => (c.status === 'ready' ? c.quit().catch(() => undefined) : undefined)));
    this.client.disconnect();
    this.subscriber.disconnect();
  }

  private dispatch(channel: string, message: string): void {
    const cut = message.indexOf('\n');
    if (cut < 0) return;
    const origin = message.slice(0, cut);
    if (origin === this.options.instanceId) return;
    const body = message.slice(cut + 1);
    for (const handler of this.handlers.get(channel) ?? []) {
      try {
        handler(origin, body);
      } catch (error) {
        this.options.logger.warn({ channel, err: error instanceof Error ? error.message : String(error) }, 'cluster message could not be handled');
      }
    }
  }

  private up(): void {
    const wasDown = this.state === 'down';
    this.state = 'up';
    if (!wasDown) return;
    this.options.logger.info({ redis: this.description }, `cluster link ${this.description} is reachable again: sharing state with the other instances again`);
    for (const handler of this.reconnectHandlers) handler();
  }

  private down(reason: string): void {
    if (this.closing || this.state === 'down') return;
    this.state = 'down';
    this.options.logger.warn(
      { redis: this.description, reason },
      `cluster link ${this.description} is unreachable (${reason}): this instance serves on its own state until it is back`,
    );
  }
}

async function waitReady(client: Redis, timeoutMs: number, description: string): Promise<void> {
  if (client.status === 'ready') return;
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => {
      client.off('ready', onReady);
      reject(new Error(`cluster link ${description} is not reachable within ${timeoutMs}ms`));
    }, timeoutMs);
    const onReady = () => {
      clearTimeout(timer);
      resolve();
    };
    client.once('ready', onReady);
  });
}
