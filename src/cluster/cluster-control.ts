import { randomUUID } from 'node:crypto';
import type { ReloadResult } from '../runtime/events.js';
import type { ReloadOptions } from '../runtime/reloader.js';
import type { Clock } from '../shared/clock.js';
import type { Logger } from '../shared/logger.js';
import { reviveReloadResult } from './event-relay.js';
import type { RedisLink } from './redis-link.js';

/** One instance as it announces itself every heartbeat. */
export interface InstanceInfo {
  instanceId: string;
  url: string | null;
  /** Epoch ms. */
  startedAt: number;
  /** Epoch ms of its last heartbeat. */
  lastSeenAt: number;
  configVersion: number;
  configHash: string;
}

/** One instance's answer to `reloadAll`: its result, or why there is none. */
export interface InstanceReload {
  instanceId: string;
  result: ReloadResult | null;
  error: string | null;
}

export interface ClusterControlDeps {
  instanceId: string;
  reload: (options: ReloadOptions) => Promise<ReloadResult>;
  /** The running config's version and hash, for the heartbeat. */
  config: () => { version: number; hash: string };
  clock: Clock;
  logger: Logger;
  heartbeatMs?: number;
}

type ControlMessage = { type: 'reload'; requestId: string; force: boolean; replyTo: string };
type ReplyMessage = { requestId: string; result: unknown; error: string | null };

const MEMBERS = 'instances';

/**
 * Who is in the cluster and what it runs (a heartbeat into a sorted set, scored by time, plus a
 * short-lived info key per instance), and `reloadConfig(all: true)`: a reload request on the
 * control channel that every instance answers on the asker's reply channel once it has reloaded
 * its own gateway.yaml. Instances that do not answer within the timeout are reported as such.
 */
export class ClusterControl {
  private readonly heartbeatMs: number;
  private readonly startedAt: number;
  private readonly waiting = new Map<string, (instanceId: string, reply: ReplyMessage) => void>();
  private timer: NodeJS.Timeout | null = null;
  private url: string | null = null;

  constructor(
    private readonly link: RedisLink,
    private readonly deps: ClusterControlDeps,
  ) {
    this.heartbeatMs = deps.heartbeatMs ?? 5_000;
    this.startedAt = deps.clock.now();
  }

  async start(url: string): Promise<void> {
    this.url = url;
    await this.link.listen('control', (_origin, body) => void this.onControl(JSON.parse(body) as ControlMessage));
    await this.link.listen(`replies:${this.deps.instanceId}`, (origin, body) => {
      const reply = JSON.parse(body) as ReplyMessage;
      this.waiting.get(reply.requestId)?.(origin, reply);
    });
    this.timer = setInterval(() => void this.heartbeat(), this.heartbeatMs);
    this.timer.unref();
    await this.heartbeat();
  }

  async stop(): Promise<void> {
    if (this.timer !== null) clearInterval(this.timer);
    this.timer = null;
    const id = this.deps.instanceId;
    // Leave at once rather than when the heartbeat goes stale: reloadAll stops waiting for us.
    if (this.link.isUp) await Promise.all([this.link.client.zrem(this.link.key(MEMBERS), id), this.link.client.del(this.infoKey(id))]).catch(() => undefined);
  }

  /** Live instances, this one first. Throws when Redis is unreachable. */
  async instances(): Promise<InstanceInfo[]> {
    const now = this.deps.clock.now();
    const client = this.link.client;
    const stale = now - 3 * this.heartbeatMs;
    await client.zremrangebyscore(this.link.key(MEMBERS), '-inf', stale);
    const ids = await client.zrangebyscore(this.link.key(MEMBERS), stale, '+inf');
    const infos = ids.length === 0 ? [] : await client.mget(...ids.map((id) => this.infoKey(id)));
    const live = infos.flatMap((text) => (text === null ? [] : [JSON.parse(text) as InstanceInfo]));
    return live.sort((a, b) => (a.instanceId === this.deps.instanceId ? -1 : b.instanceId === this.deps.instanceId ? 1 : a.instanceId.localeCompare(b.instanceId)));
  }

  /**
   * Reloads here and asks every other live instance to reload its own file; one entry per
   * instance, this one first. `peersError` says why the others could not be asked (Redis down).
   */
  async reloadAll(options: ReloadOptions, timeoutMs = 10_000): Promise<{ entries: InstanceReload[]; peersError: string | null }> {
    const self = this.deps.instanceId;
    let peers: string[];
    try {
      peers = (await this.instances()).map((i) => i.instanceId).filter((id) => id !== self);
    } catch (error) {
      const local = await this.deps.reload(options);
      return { entries: [{ instanceId: self, result: local, error: null }], peersError: `the other instances could not be asked: cluster link ${this.link.description} is unreachable (${errorText(error)})` };
    }
    const requestId = randomUUID();
    const replies = new Map<string, InstanceReload>();
    let allIn: () => void = () => {};
    const done = new Promise<void>((resolve) => (allIn = resolve));
    this.waiting.set(requestId, (instanceId, reply) => {
      const result = reply.result === null ? null : reviveReloadResult(reply.result);
      replies.set(instanceId, { instanceId, result, error: reply.error });
      if (peers.every((id) => replies.has(id))) allIn();
    });
    const message: ControlMessage = { type: 'reload', requestId, force: options.force === true, replyTo: self };
    this.link.publish('control', JSON.stringify(message));
    if (peers.length === 0) allIn();
    const [local] = await Promise.all([this.deps.reload(options), Promise.race([done, delay(timeoutMs)])]);
    this.waiting.delete(requestId);
    const missing = peers.filter((id) => !replies.has(id)).map((id) => ({ instanceId: id, result: null, error: `no answer within ${timeoutMs}ms` }));
    // An instance that joined after the membership was read may have answered too: it counts.
    return { entries: [{ instanceId: self, result: local, error: null }, ...[...replies.values()].sort(byId), ...missing.sort(byId)], peersError: null };
  }

  private async onControl(message: ControlMessage): Promise<void> {
    if (message.type !== 'reload') return;
    let reply: ReplyMessage;
    try {
      reply = { requestId: message.requestId, result: await this.deps.reload({ force: message.force }), error: null };
    } catch (error) {
      reply = { requestId: message.requestId, result: null, error: `reload failed: ${errorText(error)}` };
    }
    this.link.publish(`replies:${message.replyTo}`, JSON.stringify(reply));
  }

  private async heartbeat(): Promise<void> {
    if (!this.link.isUp) return;
    const now = this.deps.clock.now();
    const { version, hash } = this.deps.config();
    const info: InstanceInfo = { instanceId: this.deps.instanceId, url: this.url, startedAt: this.startedAt, lastSeenAt: now, configVersion: version, configHash: hash };
    await Promise.all([
      this.link.client.set(this.infoKey(this.deps.instanceId), JSON.stringify(info), 'PX', 3 * this.heartbeatMs),
      this.link.client.zadd(this.link.key(MEMBERS), now, this.deps.instanceId),
    ]).catch(() => undefined);
  }

  private infoKey(instanceId: string): string {
    return this.link.key('instance', instanceId);
  }
}

function byId(a: InstanceReload, b: InstanceReload): number {
  return a.instanceId.localeCompare(b.instanceId);
}

function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms).unref());
}

function errorText(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
