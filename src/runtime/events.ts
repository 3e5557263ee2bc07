import type { ConfigChanges } from '../config/diff.js';
import type { ConfigIssue } from '../config/issues.js';
import type { UsageRecord } from '../usage/usage-record.js';

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

/** The in-process events; the GraphQL subscriptions and the dashboard listen to these. */
export interface GatewayEvents {
  'config.applied': ReloadResult;
  'config.rejected': ReloadResult;
  'request.completed': UsageRecord;
}
