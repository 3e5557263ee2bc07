import 'reflect-metadata';
import { randomBytes } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import { hostname } from 'node:os';
import type { AddressInfo } from 'node:net';
import { Agent } from 'undici';
import { createAdminApi } from './admin/admin-api.js';
import { authorizeAdmin } from './admin/admin-auth.js';
import { keyLimitsFrom } from './admin/rate-limit-view.js';
import { routingAccounts } from './admin/routing-accounts.js';
import { openCluster } from './cluster/cluster.js';
import { formatIssue, type ConfigIssue } from './config/issues.js';
import { dashboardRouter } from './dashboard/dashboard-router.js';
import { createLimiterBackend } from './limits/create-limiter-backend.js';
import { RateLimits } from './limits/rate-limits.js';
import { GatewayMetrics } from './metrics/gateway-metrics.js';
import { AdapterRegistry } from './providers/adapter-registry.js';
import { accountCredentialStatus } from './providers/credential-status.js';
import { AccountStoreVault, quotaWindowViews } from './providers/chatgpt/account-store-vault.js';
import { ChatgptAdapter } from './providers/chatgpt/chatgpt-adapter.js';
import { ContinuityIndex } from './providers/chatgpt/continuity-index.js';
import { OAuthRefreshClient } from './providers/chatgpt/oauth-refresh-client.js';
import { planCapacity } from './providers/chatgpt/plan-capacity.js';
import { QuotaTracker } from './providers/chatgpt/quota-tracker.js';
import { TokenManager } from './providers/chatgpt/token-manager.js';
import { OpenAiAdapter } from './providers/openai-adapter.js';
import { UpstreamClient } from './providers/upstream-client.js';
import { createApp } from './proxy/app.js';
import { CODEX_MOUNT_PATH, codexRouter } from './proxy/codex-router.js';
import { expressServerOptions } from './proxy/express-server-options.js';
import { shutdownServer } from './proxy/shutdown-server.js';
import { METRICS_PATH, metricsRouter } from './proxy/metrics-router.js';
import { applyServerTimeouts, serverTimeoutOptions } from './proxy/server-timeouts.js';
import type { CostFn } from './proxy/usage-tracker.js';
import { v1Routes } from './proxy/v1-router.js';
import { AccountRouter } from './routing/account-router.js';
import { AccountStateStore } from './routing/account-state.js';
import { StickySessions } from './routing/sticky-sessions.js';
import { StrategySet } from './routing/strategies/strategy-set.js';
import { AccountPauses } from './runtime/account-pauses.js';
import { ConfigWatcher } from './runtime/config-watcher.js';
import type { GatewayEvents } from './runtime/events.js';
import { ConfigReloader, loadInitialSnapshot } from './runtime/reloader.js';
import type { Snapshot } from './runtime/snapshot.js';
import { SnapshotHolder } from './runtime/snapshot-holder.js';
import { durationMs } from './shared/durations.js';
import { ENCRYPTION_KEY_ENV, loadEncryptionKey } from './shared/encryption-key.js';
import { systemClock } from './shared/clock.js';
import { EventBus } from './shared/event-bus.js';
import { createLogger, type Logger } from './shared/logger.js';
import { isLoopbackHost } from './shared/net.js';
import { SecretBox } from './shared/secret-box.js';
import { ConnectingStore } from './store/connecting-store.js';
import { logConfigRevisions } from './store/revision-log.js';
import { encodeCursor } from './store/request-log-cursor.js';
import { resolveStoragePaths } from './config/storage-paths.js';
import { modelCostMicroUsd } from './usage/pricing.js';
import type { RecorderStats, UsageRecorder } from './usage/recorder.js';
import { createUsageRecorder } from './usage/recorder-from-config.js';
import type { UsageSink } from './usage/usage-record.js';

/**
 * Composition root: the only place that constructs long-lived objects and connects them.
 */
export interface GatewayOptions {
  configPath: string;
  env?: NodeJS.ProcessEnv;
  logger?: Logger;
  /** Watch the config file for changes (default true). */
  watch?: boolean;
  /**
   * Where each request's usage record goes (default: the batching recorder into `storage.url`).
   * Tests pass a sink to read records directly; the store is still opened for account state.
   */
  usageSink?: UsageSink;
  /** Prices a request in micro-USD (default: the model's `pricing:`, else the built-in table). */
  costOf?: CostFn;
  /** Names this process in admin events (default `<hostname>:<pid>`). */
  instanceId?: string;
  /** The usage recorder's backlog for /metrics, when `usageSink` is a recorder (default: the built-in recorder's; 0 with another sink). */
  usageStats?: () => RecorderStats | null;
}

export interface Gateway {
  readonly url: string;
  readonly port: number;
  readonly holder: SnapshotHolder;
  readonly reloader: ConfigReloader;
  readonly bus: EventBus<GatewayEvents>;
  readonly logger: Logger;
  readonly server: Server;
  close(): Promise<void>;
}

/** The gateway could not start; `issues` holds config problems when that was the cause. */
export class StartupError extends Error {
  constructor(
    message: string,
    readonly issues: readonly ConfigIssue[] = [],
  ) {
    super(message);
    this.name = 'StartupError';
  }
}

export async function startGateway(options: GatewayOptions): Promise<Gateway> {
  const env = options.env ?? process.env;
  const logger = options.logger ?? createLogger();
  const initial = await loadInitialSnapshot(options.configPath, env);
  if (initial.snapshot === null) {
    throw new StartupError(`invalid configuration in ${initial.loaded.file}`, initial.loaded.issues);
  }
  const snapshot = initial.snapshot;
  for (const issue of initial.loaded.issues) logger.warn({ code: issue.code }, formatIssue(issue));
  const { host, port } = snapshot.config.server;
  if (!snapshot.config.auth.enabled && !isLoopbackHost(host)) {
    throw new StartupError(
      `refusing to listen on ${host} with auth.enabled: false (anyone could use your accounts). ` +
        'Create a key with `codex-lb keys new`, add it under `keys:` and set `auth: { enabled: true }`, or listen on 127.0.0.1.',
    );
  }

  const bus = new EventBus<GatewayEvents>((error, event) => logger.error({ err: error, event }, 'event listener failed'));
  const holder = new SnapshotHolder(snapshot);
  let draining = false;
  // The usage store (migrated at open) also keeps account state and the config revision log.
  const storage = resolveStoragePaths(snapshot.config.storage, options.configPath);
  const store = new ConnectingStore(storage.url, logger, { retentionMs: storage.retention ? durationMs(storage.retention) : undefined });
  // Normally open before the first request (account state, revisions); a down store only delays this.
  await store.waitOpen(3_000);
  // Usage records are batched off the request path; outages wait in memory, then in the spool.
  const recorder: UsageRecorder | null =
    options.usageSink === undefined ? createUsageRecorder(store.writer, storage, logger, (records) => bus.publish('usage.stored', { records })) : null;
  // Proxy core: account state, sticky sessions and strategy rotations outlive reloads.
  const clock = systemClock;
  // Prometheus /metrics: request figures from the bus and from failed attempts; cooldowns and
  // the recorder's backlog are read at scrape time.
  const metrics = new GatewayMetrics({
    snapshot: () => holder.current(),
    availability: (id) => accounts.availability(id),
    inflight: (id) => accounts.peek(id)?.inflight ?? 0,
    usageStats: options.usageStats ?? (() => recorder?.stats() ?? null),
  });
  metrics.subscribe(bus);
  const accounts = new AccountStateStore(clock, (id, failure) => metrics.upstreamFailed(id, failure));
  // Rate-limit counters live in their store, keyed by policy fingerprint: they outlive reloads.
  const limits = new RateLimits({
    backend: await createLimiterBackend({ ...snapshot.config, storage }, logger, { namespace: snapshot.config.cluster.namespace }).catch(async (error: unknown) => {
      await recorder?.close();
      await store.close();
      throw error;
    }),
    clock,
    logger,
  });
  // Several instances (cluster.redis): shared cooldowns, quotas, sticky sessions, one token refresh, events.
  const instanceId = options.instanceId ?? env.CODEX_LB_INSTANCE_ID ?? `${hostname()}:${process.pid}`;
  const cluster = await openCluster(snapshot.config.cluster, { instanceId, bus, logger, clock });
  // Keep-alive pools per upstream origin; no undici timeouts (the proxy runs its own per snapshot).
  const agent = new Agent({ keepAliveTimeout: 30_000, keepAliveMaxTimeout: 120_000, headersTimeout: 0, bodyTimeout: 0, connect: { timeout: 30_000 } });
  const upstream = new UpstreamClient(agent);
  // ChatGPT seats: OAuth tokens (sealed in the store), quotas and conversation continuity outlive reloads.
  const tokens = new TokenManager({
    vault: new AccountStoreVault(store.accountState),
    box: new SecretBox(tokenEncryptionKey(snapshot, storage.url, env, logger)),
    oauth: new OAuthRefreshClient(),
    coordinator: cluster?.refreshLock,
    clock,
    logger,
  });
  const quotas = new QuotaTracker({ clock, logger, share: cluster?.shareQuota, persist: async (id, quota) => void (await store.accountState.update(id, { quota })) });
  const continuity = new ContinuityIndex(clock);
  /** A seat's relative capacity by plan (configured, else from its id token); 1 for other accounts. */
  const capacityOf = (accountId: string): number => {
    const config = holder.current().accounts.get(accountId)?.config;
    return config?.kind === 'chatgpt' ? planCapacity(config.plan ?? tokens.status(accountId)?.planType) : 1;
  };
  const adapters = new AdapterRegistry([new OpenAiAdapter(), new ChatgptAdapter({ tokens, quota: quotas, continuity, upstream, clock, capacityOf })]);
  await tokens.preload([...snapshot.accounts.values()].flatMap((a) => (a.config.kind === 'chatgpt' ? [{ id: a.id, config: a.config }] : [])));
  // Admin pauses (pauseAccount) are runtime overrides the router honours like any unservable reason.
  const pauses = new AccountPauses({ setPaused: async (id, paused) => void (await store.accountState.update(id, { paused })) }, clock);
  // Quotas and pauses saved by earlier runs, as soon as the store is open (at once, normally).
  void store.opened.then(async () => {
    const saved = await store.accountState.list();
    quotas.restore(saved);
    pauses.restore(saved);
  }).catch((error: unknown) => logger.warn({ err: error instanceof Error ? error.message : String(error) }, 'could not restore saved account state'));
  const router = new AccountRouter({
    state: accounts,
    sticky: new StickySessions(clock, { map: cluster?.sticky }),
    strategies: new StrategySet({ planWeight: (account) => capacityOf(account.id) }),
    capacity: (accountId) => quotas.remaining(accountId),
    clock,
    servable: (account) => (pauses.isPaused(account.id) ? 'paused by an admin' : adapters.unavailableReason(account)),
    policyBlock: (snap, accountId, modelId, now) => limits.accountBlock(snap, accountId, modelId, now),
  });
  const recordUsage: UsageSink = options.usageSink ?? recorder ?? { record: () => {} };
  // Every finished request also goes on the bus, for the admin API's subscriptions.
  const usageSink: UsageSink = {
    record(record) {
      recordUsage.record(record);
      bus.publish('request.completed', record);
    },
  };
  const proxy = { router, accounts, adapters, upstream, usage: usageSink, limits, costOf: options.costOf ?? modelCostMicroUsd, clock, logger, pins: (body: Readonly<Record<string, unknown>>) => continuity.pinFor(body) };
  const reloader = new ConfigReloader({
    file: options.configPath,
    holder,
    bus,
    logger,
    env,
    onApplied: (next) => {
      app.set('trust proxy', next.config.server.trustProxy);
      applyServerTimeouts(server, next.config.server);
      limits.applied(next);
      if (next.config.limits.store !== snapshot.config.limits.store) {
        logger.warn({ store: limits.backend.description }, 'limits.store changed: counters stay in the running store until the gateway restarts');
      }
      if (JSON.stringify(next.config.cluster) !== JSON.stringify(snapshot.config.cluster)) logger.warn('cluster changed: the instance keeps its current cluster link until it restarts');
      logAccountStatus(next, logger);
    },
  });
  const admin = await createAdminApi({
    holder,
    reloader,
    bus,
    logger,
    configPath: options.configPath,
    instanceId,
    cluster: cluster?.admin,
    accounts: routingAccounts({ state: accounts, pauses, unservable: (account) => adapters.unavailableReason(account), quota: (id) => quotaWindowViews(quotas.quota(id)) }),
    keyLimits: keyLimitsFrom(limits, () => clock.now()),
    usage: { query: store.query, cursorAfter: (entry) => encodeCursor({ startedAt: entry.startedAt, id: entry.id }) },
  });
  const recordRevision = logConfigRevisions(bus, store.configRevisions, logger);
  void recordRevision({ version: snapshot.version, hash: initial.loaded.hash, status: 'applied', changes: null, issues: initial.loaded.issues, trigger: 'startup', at: clock.now() });
  const v1 = v1Routes({ holder, proxy, clock });
  const { app, listener } = createApp({
    logger,
    v1: v1.router,
    fast: v1.fast,
    mounts: [
      { path: admin.path, handler: admin.router },
      { path: CODEX_MOUNT_PATH, handler: codexRouter({ holder, proxy, clock }) },
      // Guarded like the admin API: admin bearer token, or loopback only while admin.tokens is empty.
      { path: METRICS_PATH, handler: metricsRouter({ render: () => metrics.render(), authorize: (credentials) => authorizeAdmin(holder.current(), credentials) }) },
      { path: '/', handler: dashboardRouter() },
    ],
    ready: async () => {
      const reachable = await store.ping(1_000);
      const stats = recorder?.stats();
      return {
        ready: reachable,
        checks: { config: true, configVersion: String(holder.current().version), store: reachable ? 'reachable' : 'unreachable', ...(stats ? { usageQueued: stats.queued, usageSpooled: stats.spooled } : {}) },
      };
    },
    draining: () => draining,
    trustProxy: snapshot.config.server.trustProxy,
  });
  logAccountStatus(snapshot, logger);

  const server = createServer({ ...expressServerOptions(app), ...serverTimeoutOptions(snapshot.config.server) }, listener);
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve();
    });
  }).catch(async (error: unknown) => {
    // A Redis/SQL counter store holds sockets that would keep the failed process alive.
    await limits.close();
    await cluster?.close();
    await recorder?.close();
    await store.close();
    throw error;
  });
  admin.attachSubscriptions(server);
  const address = server.address() as AddressInfo;
  const url = `http://${address.family === 'IPv6' ? `[${address.address}]` : address.address}:${address.port}`;
  await cluster?.attach({ accounts, pauses, quotas, tokens, reload: (o) => reloader.reload('admin', o), config: () => holder.current(), url });

  const watcher = options.watch === false ? null : new ConfigWatcher(options.configPath, () => void reloader.reload('file'), logger);
  await watcher?.start();
  logger.info({ url, version: snapshot.version, models: snapshot.models.size, accounts: snapshot.accounts.size }, `codex-lb listening on ${url}`);

  let closing: Promise<void> | null = null;
  const close = () => {
    closing ??= (async () => {
      draining = true;
      await watcher?.close();
      // Subscriptions first: upgraded sockets would otherwise keep server.close() waiting.
      await admin.close();
      const graceMs = durationMs(holder.current().config.server.shutdownGrace);
      await shutdownServer(server, graceMs);
      await agent.destroy().catch(() => {});
      await limits.close();
      await cluster?.close();
      // After the server: requests that finished during the grace period are recorded too.
      await recorder?.close();
      await store.close();
      logger.info('codex-lb stopped');
    })();
    return closing;
  };
  return { url, port: address.port, holder, reloader, bus, logger, server, close };
}

/** The key sealing stored tokens; a throwaway one when nothing is stored durably. */
function tokenEncryptionKey(snapshot: Snapshot, url: string, env: NodeJS.ProcessEnv, logger: Logger): Buffer {
  const durable = url !== 'sqlite::memory:' && [...snapshot.accounts.values()].some((account) => account.kind === 'chatgpt');
  if (!durable && !env[ENCRYPTION_KEY_ENV]) return randomBytes(32);
  try {
    const loaded = loadEncryptionKey(env, url);
    logger.info({ source: loaded.source }, 'encryption key for stored tokens loaded');
    return loaded.key;
  } catch (error) {
    throw new StartupError(error instanceof Error ? error.message : String(error));
  }
}

function logAccountStatus(snapshot: Snapshot, logger: Logger): void {
  for (const account of snapshot.accounts.values()) {
    if (!account.enabled) continue;
    const status = accountCredentialStatus(account.config);
    if (!status.available) logger.warn({ account: account.id }, `account '${account.id}' is unavailable: ${status.reason}`);
  }
}

export interface RunOptions {
  configPath: string;
  /** Watch the config file (default true); SIGHUP reloads either way. */
  watch?: boolean;
}

/** Runs the gateway until SIGTERM/SIGINT; SIGHUP reloads the config. Resolves with the exit code. */
export async function runGateway(options: RunOptions): Promise<number> {
  // Handlers go in before anything starts: a signal that arrives while the gateway is still
  // starting must not hit Node's default action (which kills the process on SIGHUP).
  let gateway: Gateway | null = null;
  let stopRequested: NodeJS.Signals | null = null;
  let onStopped: (code: number) => void = () => {};
  const stopped = new Promise<number>((resolve) => (onStopped = resolve));
  const stop = (signal: NodeJS.Signals) => {
    if (stopRequested !== null) return;
    stopRequested = signal;
    if (gateway === null) return;
    gateway.logger.info({ signal }, 'shutting down');
    void gateway.close().then(() => onStopped(0));
  };
  const onHup = () => void gateway?.reloader.reload('signal');
  process.on('SIGHUP', onHup);
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
  const removeHandlers = () => {
    process.off('SIGHUP', onHup);
    process.off('SIGTERM', stop);
    process.off('SIGINT', stop);
  };

  try {
    gateway = await startGateway({ configPath: options.configPath, watch: options.watch });
  } catch (error) {
    removeHandlers();
    if (error instanceof StartupError) {
      for (const issue of error.issues) process.stderr.write(`${formatIssue(issue)}\n`);
      process.stderr.write(`codex-lb: ${error.message}\n`);
      // Same codes as `check`: 2 when the file could not be read at all, 1 when it is invalid.
      return error.issues.some((issue) => issue.code === 'unreadable') ? 2 : 1;
    }
    process.stderr.write(`codex-lb: ${error instanceof Error ? error.message : String(error)}\n`);
    return 1;
  }
  if (stopRequested !== null) {
    const signal: NodeJS.Signals = stopRequested;
    stopRequested = null;
    stop(signal);
  }
  const code = await stopped;
  removeHandlers();
  return code;
}
