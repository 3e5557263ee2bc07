import { diffConfigs, isEmptyChange, summarizeChanges } from '../config/diff.js';
import { formatIssue, hasErrors } from '../config/issues.js';
import { loadConfigFile, loadConfigText, type LoadedConfig } from '../config/load.js';
import type { EventBus } from '../shared/event-bus.js';
import type { Logger } from '../shared/logger.js';
import type { GatewayEvents, ReloadResult, ReloadTrigger } from './events.js';
import { buildSnapshot, type Snapshot, type ValidConfig } from './snapshot.js';
import type { SnapshotHolder } from './snapshot-holder.js';

export interface ReloaderDeps {
  file: string;
  holder: SnapshotHolder;
  bus: EventBus<GatewayEvents>;
  logger: Logger;
  env?: NodeJS.ProcessEnv;
  /** Called after a swap, before the applied event: for settings that live outside the snapshot. */
  onApplied?: (next: Snapshot, previous: Snapshot) => void;
}

export interface ReloadOptions {
  /** Rebuild even when the file's hash is unchanged. */
  force?: boolean;
}

/**
 * The one reload pipeline: read -> parse -> validate -> build -> swap -> publish. Startup, the file
 * watcher, SIGHUP and the admin mutation all call `reload`. Reloads never overlap: a request that
 * arrives while one runs is queued once (later requests share it, since it will read the newest
 * file anyway). Any failure leaves the running snapshot untouched.
 */
export class ConfigReloader {
  private running: Promise<ReloadResult> | null = null;
  private queued: { promise: Promise<ReloadResult>; force: boolean } | null = null;
  /** The last rejected file's hash, so an editor saving the same broken file twice logs once. */
  private lastRejectedHash: string | null = null;

  constructor(private readonly deps: ReloaderDeps) {}

  reload(trigger: ReloadTrigger, options: ReloadOptions = {}): Promise<ReloadResult> {
    const force = options.force === true;
    if (this.running === null) return this.start(trigger, force);
    if (this.queued !== null) {
      this.queued.force ||= force;
      return this.queued.promise;
    }
    const queued = { force, promise: Promise.resolve() as Promise<unknown> as Promise<ReloadResult> };
    queued.promise = this.running
      .catch(() => undefined)
      .then(() => {
        this.queued = null;
        return this.start(trigger, queued.force);
      });
    this.queued = queued;
    return queued.promise;
  }

  /** Validates YAML text without applying it (the admin API's dry run). */
  validate(text: string, file = 'gateway.yaml'): LoadedConfig {
    return loadConfigText(text, file, this.deps.env ?? process.env);
  }

  private start(trigger: ReloadTrigger, force: boolean): Promise<ReloadResult> {
    const promise = this.run(trigger, force).finally(() => {
      if (this.running === promise) this.running = null;
    });
    this.running = promise;
    return promise;
  }

  private async run(trigger: ReloadTrigger, force: boolean): Promise<ReloadResult> {
    const started = performance.now();
    const { holder, bus, logger } = this.deps;
    const current = holder.current();
    const loaded = await loadConfigFile(this.deps.file, this.deps.env ?? process.env);
    const result = (status: ReloadResult['status'], version: number, extra: Partial<ReloadResult> = {}): ReloadResult => ({
      status,
      trigger,
      version,
      hash: loaded.hash,
      file: loaded.file,
      changes: null,
      summary: status,
      issues: loaded.issues,
      at: new Date(),
      durationMs: Math.round((performance.now() - started) * 100) / 100,
      ...extra,
    });

    if (loaded.config === null || hasErrors(loaded.issues)) {
      const rejected = result('rejected', current.version, { summary: `rejected: ${loaded.issues.filter((i) => i.severity === 'error').length} error(s); still serving version ${current.version}` });
      const repeat = loaded.hash !== '' && loaded.hash === this.lastRejectedHash;
      this.lastRejectedHash = loaded.hash;
      if (!repeat || trigger !== 'file') {
        logger.error({ trigger, file: loaded.file, version: current.version }, `config rejected; still serving version ${current.version}`);
        for (const issue of loaded.issues) logger.error({ code: issue.code }, formatIssue(issue));
        bus.publish('config.rejected', rejected);
      }
      return rejected;
    }
    this.lastRejectedHash = null;
    if (loaded.hash === current.hash && !force) return result('unchanged', current.version, { summary: 'unchanged' });

    const next = buildSnapshot(loaded as ValidConfig, current.version + 1);
    const changes = diffConfigs(current.config, next.config);
    if (isEmptyChange(changes) && !force) {
      // Only formatting or comments changed: keep the running snapshot and its version.
      return result('unchanged', current.version, { changes, summary: 'unchanged (no effective change)' });
    }
    holder.swap(next);
    this.deps.onApplied?.(next, current);
    const applied = result('applied', next.version, { changes, summary: summarizeChanges(changes) });
    logger.info({ trigger, version: next.version, hash: next.hash.slice(0, 12), durationMs: applied.durationMs }, `config applied: ${applied.summary}`);
    for (const issue of loaded.issues) logger.warn({ code: issue.code }, formatIssue(issue));
    bus.publish('config.applied', applied);
    return applied;
  }
}

/** The first snapshot, or the issues that keep the gateway from starting. */
export async function loadInitialSnapshot(
  file: string,
  env: NodeJS.ProcessEnv = process.env,
): Promise<{ snapshot: Snapshot; loaded: LoadedConfig } | { snapshot: null; loaded: LoadedConfig }> {
  const loaded = await loadConfigFile(file, env);
  if (loaded.config === null || hasErrors(loaded.issues)) return { snapshot: null, loaded };
  return { snapshot: buildSnapshot(loaded as ValidConfig, 1), loaded };
}
