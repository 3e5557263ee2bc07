import type { EventBus } from '../shared/event-bus.js';
import type { Logger } from '../shared/logger.js';
import type { GatewayEvents } from '../runtime/events.js';
import type { ConfigReloader } from '../runtime/reloader.js';
import type { AccountSpec, Snapshot } from '../runtime/snapshot.js';
import type { SnapshotHolder } from '../runtime/snapshot-holder.js';
import type { RequestLogEntry, UsageQuery } from '../usage/usage-query.js';
import type { AccountLiveState } from '../runtime/account-live-state.js';
import type { ClusterAdmin } from '../cluster/cluster.js';

/**
 * What the admin API needs from the rest of the gateway, as narrow interfaces. main.ts adapts
 * the real services (routing state, limiters, the usage store) to these, so `admin/` imports
 * neither `proxy/` nor the store and can be tested with plain objects.
 */

export type { AccountLiveState, AccountPauseView, QuotaWindowView } from '../runtime/account-live-state.js';

export interface AccountsPort {
  /** Must be cheap and synchronous: called per account per query and by the event feed's sampler. */
  state(account: AccountSpec, now: number): AccountLiveState;
  /** Runtime pause, persisted by the implementation; resolves once routing skips the account. */
  pause(accountId: string, reason: string | null): Promise<void>;
  resume(accountId: string): Promise<void>;
  clearCooldown(accountId: string): Promise<void>;
}

export type LimitKindName = 'requests' | 'tokens' | 'inputTokens' | 'outputTokens' | 'costUsd' | 'concurrency';

/** The live count of one limit window of one key. */
export interface LimitUsage {
  policyId: string;
  kind: LimitKindName;
  used: number | null;
  remaining: number | null;
  /** Epoch ms. */
  resetsAt: number | null;
}

export interface KeyLimitsPort {
  /** Current counts of every limit of the key's policies; missing entries are shown as unknown. */
  usage(snapshot: Snapshot, keyId: string): Promise<readonly LimitUsage[]>;
}

/** The usage store's read side, plus the cursor that resumes the request log after an entry. */
export interface UsagePort {
  query: UsageQuery;
  cursorAfter(entry: RequestLogEntry): string;
}

export interface AdminDeps {
  holder: SnapshotHolder;
  reloader: ConfigReloader;
  bus: EventBus<GatewayEvents>;
  logger: Logger;
  /** Identifies this gateway process in events (several instances may share a store). */
  instanceId: string;
  accounts: AccountsPort;
  /** Absent until a limiter is wired: limits are then shown with unknown counts. */
  keyLimits?: KeyLimitsPort;
  /** Absent without a usage store: usage fields then fail with SERVICE_UNAVAILABLE. */
  usage?: UsagePort;
  /**
   * Several instances (`cluster.redis`): `reloadConfig(all: true)` and `instances` go through it,
   * and account changes are sampled all the time, since other instances may be listening.
   */
  cluster?: ClusterAdmin;
  now?: () => number;
  /** How often account state is sampled for `accountEvents` while someone listens (default 1 s). */
  accountSampleMs?: number;
  /** Minimum time between two `usageUpdated` ticks of one subscription (default 1 s). */
  usageTickMs?: number;
}
