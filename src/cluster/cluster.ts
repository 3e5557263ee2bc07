import type { ClusterConfig } from '../config/schema.js';
import type { GatewayEvents, ReloadResult } from '../runtime/events.js';
import type { ReloadOptions } from '../runtime/reloader.js';
import type { Clock } from '../shared/clock.js';
import type { EventBus } from '../shared/event-bus.js';
import type { Logger } from '../shared/logger.js';
import { ClusterControl, type InstanceInfo, type InstanceReload } from './cluster-control.js';
import { EventRelay } from './event-relay.js';
import { RedisLink } from './redis-link.js';
import { RedisRefreshLock } from './refresh-lock.js';
import { ReplicatedTtlMap } from './replicated-map.js';
import { SharedAccountState, type SharedAccountTargets } from './shared-account-state.js';

export interface ClusterDeps {
  instanceId: string;
  bus: EventBus<GatewayEvents>;
  logger: Logger;
  clock: Clock;
  /** How long startup waits for Redis before going on alone (default 3 s). */
  connectWaitMs?: number;
  /** Heartbeat of the membership (default 5 s). */
  heartbeatMs?: number;
}

/** What the cluster acts on once the gateway is built (main passes the real services). */
export interface ClusterMembers extends SharedAccountTargets {
  reload: (options: ReloadOptions) => Promise<ReloadResult>;
  config: () => { version: number; hash: string };
  /** This instance's URL, announced to the others. */
  url: string;
}

/** What the admin API asks of the cluster (`reloadConfig(all: true)`, `instances`). */
export interface ClusterAdmin {
  reloadAll(options: ReloadOptions): Promise<{ entries: InstanceReload[]; peersError: string | null }>;
  instances(): Promise<InstanceInfo[]>;
}

/**
 * The instances of one gateway, joined through `cluster.redis`. Built in two steps because the
 * services that use it are built in between: `openCluster` connects and hands out what those
 * services take at construction (the sticky-session map, the refresh lock, the quota sharer);
 * `attach` then starts sharing the services' state, relaying events and answering reloads.
 */
export class Cluster {
  readonly sticky: ReplicatedTtlMap;
  readonly refreshLock: RedisRefreshLock;
  private readonly shared: SharedAccountState;
  private readonly relay: EventRelay;
  private control: ClusterControl | null = null;

  constructor(
    private readonly link: RedisLink,
    private readonly deps: ClusterDeps,
  ) {
    this.sticky = new ReplicatedTtlMap(link, 'sticky', deps.clock);
    this.shared = new SharedAccountState(link, deps.clock, deps.logger);
    this.refreshLock = new RedisRefreshLock(link, deps.logger, (accountId) => this.shared.announceTokens(accountId));
    this.relay = new EventRelay(link, deps.bus);
  }

  get instanceId(): string {
    return this.deps.instanceId;
  }

  /** For QuotaTracker's `share` option. */
  get shareQuota(): (accountId: string, quota: unknown) => void {
    return this.shared.shareQuota;
  }

  readonly admin: ClusterAdmin = {
    reloadAll: (options) => this.attached().reloadAll(options),
    instances: () => this.attached().instances(),
  };

  async attach(members: ClusterMembers): Promise<void> {
    this.control = new ClusterControl(this.link, { instanceId: this.deps.instanceId, reload: members.reload, config: members.config, clock: this.deps.clock, logger: this.deps.logger, heartbeatMs: this.deps.heartbeatMs });
    await Promise.all([this.sticky.start(), this.shared.start(members), this.relay.start(), this.control.start(members.url)]);
  }

  async close(): Promise<void> {
    this.relay.stop();
    this.shared.stop();
    await this.control?.stop();
    await this.link.close();
  }

  private attached(): ClusterControl {
    if (this.control === null) throw new Error('the cluster is still starting');
    return this.control;
  }
}

/** Joins the cluster named by `cluster.redis`; null when there is none (this instance runs alone). */
export async function openCluster(config: ClusterConfig, deps: ClusterDeps): Promise<Cluster | null> {
  if (config.redis === undefined) return null;
  const link = new RedisLink({ url: config.redis, namespace: config.namespace, instanceId: deps.instanceId, logger: deps.logger });
  // Unreachable: the link has said so once; the instance serves on its own state and catches up
  // when Redis is back.
  await link.ready(deps.connectWaitMs ?? 3_000).catch(() => undefined);
  if (link.isUp) deps.logger.info({ redis: link.description, namespace: config.namespace, instance: deps.instanceId }, `joined the cluster on ${link.description} as ${deps.instanceId}`);
  return new Cluster(link, deps);
}
