import type { AccountEventFeed } from './account-event-feed.js';
import type { ConfigStatusTracker } from './config-status.js';
import type { Scope } from './scope.js';

/** The GraphQL context of one operation, over HTTP or the socket. */
export interface AdminContext {
  /** Snapshot and clock of this operation (subscriptions make a fresh scope per event). */
  readonly scope: Scope;
  readonly status: ConfigStatusTracker;
  readonly accountFeed: AccountEventFeed;
}
