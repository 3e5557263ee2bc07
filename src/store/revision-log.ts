import type { GatewayEvents, ReloadResult } from '../runtime/events.js';
import type { EventBus } from '../shared/event-bus.js';
import type { Logger } from '../shared/logger.js';
import type { ConfigRevisionInput, ConfigRevisionStore } from './config-revision-repository.js';

/** Every reload result goes to the config revision log (best effort: a store outage only logs). */
export function logConfigRevisions(bus: EventBus<GatewayEvents>, revisions: ConfigRevisionStore, logger: Logger): void {
  const append = (result: ReloadResult) =>
    void appendRevision(revisions, logger, {
      version: result.version,
      hash: result.hash,
      status: result.status === 'applied' ? 'applied' : 'rejected',
      changes: result.changes,
      issues: result.issues,
      trigger: result.trigger,
      at: result.at.getTime(),
    });
  bus.subscribe('config.applied', append);
  bus.subscribe('config.rejected', append);
}

export async function appendRevision(revisions: ConfigRevisionStore, logger: Logger, revision: ConfigRevisionInput): Promise<void> {
  await revisions.append(revision).catch((error: unknown) => {
    logger.warn({ err: error instanceof Error ? error.message : String(error) }, 'could not record the config revision');
  });
}
