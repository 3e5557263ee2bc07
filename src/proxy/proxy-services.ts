import type { RateLimits } from '../limits/rate-limits.js';
import type { AdapterRegistry } from '../providers/adapter-registry.js';
import type { UpstreamClient } from '../providers/upstream-client.js';
import type { PinResolver } from '../routing/account-pin.js';
import type { AccountRouter } from '../routing/account-router.js';
import type { AccountStateStore } from '../routing/account-state.js';
import type { Clock } from '../shared/clock.js';
import type { Logger } from '../shared/logger.js';
import type { UsageSink } from '../usage/usage-record.js';
import type { CostFn } from './usage-tracker.js';

/** The long-lived collaborators of the /v1 POST handlers, built once in main. */
export interface ProxyServices {
  readonly router: AccountRouter;
  readonly accounts: AccountStateStore;
  readonly adapters: AdapterRegistry;
  readonly upstream: UpstreamClient;
  readonly usage: UsageSink;
  readonly limits: RateLimits;
  readonly costOf: CostFn;
  readonly clock: Clock;
  readonly logger: Logger;
  /** Requests that must go to one account (chatgpt continuity); absent = none are pinned. */
  readonly pins?: PinResolver;
}
