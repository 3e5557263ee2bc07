import type { ConfigChanges } from '../config/diff.js';
import type { ConfigIssue } from '../config/issues.js';
import type { UsageRecord } from '../usage/usage-record.js';
import type { AccountChange } from './account-live-state.js';

/** What started a reload; every source goes through the same pipeline. */
export type ReloadTrigger = 'startup' | 'file' | 'signal' | 'admin';

export interface ReloadResult {
  status: 'applied' | 'unchanged' | 'rejected';
  trigger: ReloadTrigger;
  /** The version serving after this reload (unchanged when rejected). */
  version: number;
  /** Hash of the file that was read (empty when it could not be read). */
  hash: string;
  file: string;
  /** Field-level changes when applied; null otherwise. */
  changes: ConfigChanges | null;
  summary: string;
  /** Errors (rejected) and warnings (applied or rejected), each with file:line:col. */
  issues: ConfigIssue[];
  at: Date;
  durationMs: number;
}

/** Something another instance of the cluster published, tagged with that instance's id. */
export interface RemoteEvent<T> {
  instanceId: string;
  payload: T;
}

/**
 * The in-process events; the GraphQL subscriptions and the dashboard listen to these. The
 * `remote.*` ones are other instances' events, put on this bus by the cluster relay
 * (src/cluster/event-relay.ts); they are never relayed again, and local listeners of the plain
 * names (config status, account feed) never see them.
 */
export interface GatewayEvents {
  'config.applied': ReloadResult;
  'config.rejected': ReloadResult;
  'request.completed': UsageRecord;
  /** Usage records reached the store (a batch of the recorder): reports read from it changed. */
  'usage.stored': { readonly records: number };
  /** An account's state changed on this instance (published by the admin API's account feed). */
  'account.changed': AccountChange;
  'remote.config': RemoteEvent<ReloadResult>;
  'remote.request.completed': RemoteEvent<UsageRecord>;
  'remote.account.changed': RemoteEvent<AccountChange>;
}
