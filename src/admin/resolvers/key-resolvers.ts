import type { KeySpec, PolicySpec } from '../../runtime/snapshot.js';
import { emptyTotals } from '../../usage/usage-query.js';
import type { AdminContext } from '../context.js';
import type { LimitKindName, LimitUsage } from '../ports.js';
import { memoize, totalsFor, type Scope } from '../scope.js';
import { resolveRange, type TimeRangeArg } from '../time-range.js';

interface KeyNode {
  readonly scope: Scope;
  readonly spec: KeySpec;
}

interface PolicyLimitView {
  kind: LimitKindName;
  limit: number;
  per: string | null;
  windowMs: number | null;
}

const WINDOWED: ReadonlyArray<Exclude<LimitKindName, 'concurrency'>> = ['requests', 'tokens', 'inputTokens', 'outputTokens', 'costUsd'];

/** Keys with their policies and live limit windows. Never the key: not even its hash is exposed here. */
export const keyResolvers = {
  Query: {
    keys(_: unknown, __: unknown, ctx: AdminContext): KeyNode[] {
      return [...ctx.scope.snapshot.keys.values()].map((spec) => ({ scope: ctx.scope, spec }));
    },
  },
  ApiKey: {
    id: (node: KeyNode) => node.spec.id,
    name: (node: KeyNode) => node.spec.name,
    enabled: (node: KeyNode) => node.spec.enabled,
    expiresAt: (node: KeyNode) => node.spec.expiresAt,
    expired: (node: KeyNode) => node.spec.expiresAt !== null && node.spec.expiresAt <= node.scope.now,
    models: (node: KeyNode) => (node.spec.models === null ? null : [...node.spec.models]),
    policies: (node: KeyNode) => keyPolicies(node),
    limits: async (node: KeyNode) => {
      const counts = await limitCounts(node);
      return keyPolicies(node).flatMap((policy) =>
        policyLimits(policy).map((limit) => {
          const live = counts.find((c) => c.policyId === policy.id && c.kind === limit.kind);
          return { policy: policy.id, kind: limit.kind, limit: limit.limit, per: limit.per, used: live?.used ?? null, remaining: live?.remaining ?? null, resetsAt: live?.resetsAt ?? null };
        }),
      );
    },
    usage: async (node: KeyNode, args: { range?: TimeRangeArg | null }) =>
      (await totalsFor(node.scope, 'key', node.spec.id, resolveRange(args.range, node.scope.now))) ?? emptyTotals(),
  },
  Policy: {
    id: (policy: PolicySpec) => policy.id,
    models: (policy: PolicySpec) => (policy.models === null ? null : [...policy.models]),
    limits: (policy: PolicySpec) => policyLimits(policy),
  },
};

function keyPolicies(node: KeyNode): PolicySpec[] {
  return node.spec.policies.flatMap((id) => {
    const policy = node.scope.snapshot.policies.get(id);
    return policy === undefined ? [] : [policy];
  });
}

export function policyLimits(policy: PolicySpec): PolicyLimitView[] {
  const limits: PolicyLimitView[] = [];
  for (const kind of WINDOWED) {
    const budget = policy[kind];
    const written = policy.config[kind];
    if (budget !== undefined) limits.push({ kind, limit: budget.limit, per: written?.per ?? null, windowMs: budget.perMs });
  }
  if (policy.concurrency !== undefined) limits.push({ kind: 'concurrency', limit: policy.concurrency, per: null, windowMs: null });
  return limits;
}

/** Live counts from the limiter, once per key per operation; unknown (empty) without a limiter or on its failure. */
function limitCounts(node: KeyNode): Promise<readonly LimitUsage[]> {
  const port = node.scope.deps.keyLimits;
  if (port === undefined) return Promise.resolve([]);
  return memoize(node.scope, `limits:${node.spec.id}`, async () => {
    try {
      return await port.usage(node.scope.snapshot, node.spec.id);
    } catch (error) {
      node.scope.deps.logger.warn({ err: error, key: node.spec.id }, 'admin: reading limit counts failed');
      return [];
    }
  });
}
