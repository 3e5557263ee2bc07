import type { GatewayEvents, ReloadResult } from '../runtime/events.js';
import type { EventBus } from '../shared/event-bus.js';
import type { Logger } from '../shared/logger.js';
import type { ConfigRevisionInput, ConfigRevisionStore } from './config-revision-repository.js';

/**
 * Every reload result goes to the config revision log (best effort: a store outage only logs).
 * Appends run one after the other, in the order the results came: reloads every 100 ms would
 * otherwise race on a pooled store and land out of order. Returns the function that queues a
 * revision the same way (the startup one).
 */
export function logConfigRevisions(bus: EventBus<GatewayEvents>, revisions: ConfigRevisionStore, logger: Logger): (revision: ConfigRevisionInput) => Promise<void> {
  let previous: Promise<void> = Promise.resolve();
  const enqueue = (revision: ConfigRevisionInput): Promise<void> => (previous = previous.then(() => appendRevision(revisions, logger, revision)));
  const append = (result: ReloadResult) =>
    void enqueue({
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
  return enqueue;
}

async function appendRevision(revisions: ConfigRevisionStore, logger: Logger, revision: ConfigRevisionInput): Promise<void> {
  await revisions.append(revision).catch((error: unknown) => {
    logger.warn({ err: error instanceof Error ? error.message : String(error) }, 'could not record the config revision');
  });
}
