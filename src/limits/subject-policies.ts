import type { PolicySpec, Snapshot } from '../runtime/snapshot.js';
import { limitSubject, type LimitSubject } from './policy-engine.js';
import { applicablePolicies } from './policy-math.js';

/** A key or an account of a snapshot: what carries policies. */
export interface PolicyHolder {
  readonly id: string;
  readonly policies: readonly string[];
}

interface Resolved {
  readonly subject: LimitSubject;
  readonly byModel: Map<string, readonly PolicySpec[]>;
}

/**
 * Each key's and account's limit subject and its policies per model, worked out on first use
 * and kept with the snapshot entry (weakly: a reload's new entries start afresh, old ones go
 * with their snapshot). The hot path then builds no counter key and filters no policy list.
 */
export class SubjectPolicies {
  private readonly resolved = new WeakMap<PolicyHolder, Resolved>();

  subject(kind: LimitSubject['kind'], holder: PolicyHolder): LimitSubject {
    return this.entry(kind, holder).subject;
  }

  /** The holder's policies that apply to `modelId`, resolved in `snapshot` (the holder's own). */
  policies(snapshot: Snapshot, kind: LimitSubject['kind'], holder: PolicyHolder, modelId: string): readonly PolicySpec[] {
    const { byModel } = this.entry(kind, holder);
    let policies = byModel.get(modelId);
    if (policies === undefined) byModel.set(modelId, (policies = applicablePolicies(snapshot, holder.policies, modelId)));
    return policies;
  }

  private entry(kind: LimitSubject['kind'], holder: PolicyHolder): Resolved {
    let entry = this.resolved.get(holder);
    if (entry === undefined) this.resolved.set(holder, (entry = { subject: limitSubject(kind, holder.id), byModel: new Map() }));
    return entry;
  }
}
