import type { PolicySpec, Snapshot } from '../runtime/snapshot.js';
import { limitSubject, type LimitSubject } from './policy-engine.js';
import { applicablePolicies } from './policy-math.js';

/** A key or an account of a snapshot: what carries policies. */
export interface PolicyHolder {
  readonly id: string;
  readonly policies: readonly string[];
}

/** One key's or account's limit subject and, per model, the policies that apply. */
export class ResolvedHolder {
  readonly subject: LimitSubject;
  private readonly byModel = new Map<string, readonly PolicySpec[]>();

  constructor(
    kind: LimitSubject['kind'],
    private readonly holder: PolicyHolder,
  ) {
    this.subject = limitSubject(kind, holder.id);
  }

  /** The policies that apply to `modelId`, resolved in `snapshot` (the holder's own). */
  policies(snapshot: Snapshot, modelId: string): readonly PolicySpec[] {
    let policies = this.byModel.get(modelId);
    if (policies === undefined) this.byModel.set(modelId, (policies = applicablePolicies(snapshot, this.holder.policies, modelId)));
    return policies;
  }
}

/**
 * Each key's and account's limit subject and its policies per model, worked out on first use
 * and kept with the snapshot entry (weakly: a reload's new entries start afresh, old ones go
 * with their snapshot). The hot path then builds no counter key and filters no policy list.
 */
export class SubjectPolicies {
  private readonly resolved = new WeakMap<PolicyHolder, ResolvedHolder>();

  of(kind: LimitSubject['kind'], holder: PolicyHolder): ResolvedHolder {
    let entry = this.resolved.get(holder);
    if (entry === undefined) this.resolved.set(holder, (entry = new ResolvedHolder(kind, holder)));
    return entry;
  }
}
