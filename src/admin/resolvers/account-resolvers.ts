import type { ModelSpec } from '../../runtime/snapshot.js';
import { resolvePrice } from '../../usage/pricing.js';
import { emptyTotals } from '../../usage/usage-query.js';
import { accountNode, accountStatus, unavailableReason, type AccountNode } from '../account-view.js';
import type { AdminContext } from '../context.js';
import { notFound } from '../errors.js';
import { newScope, totalsFor, type Scope } from '../scope.js';
import { resolveRange, type TimeRangeArg } from '../time-range.js';

export interface ModelNode {
  readonly scope: Scope;
  readonly spec: ModelSpec;
}

type RangeArgs = { range?: TimeRangeArg | null };

/** Accounts (config + live state), models, and the account mutations. */
export const accountResolvers = {
  Query: {
    accounts(_: unknown, args: { id?: string | null }, ctx: AdminContext): AccountNode[] {
      const { scope } = ctx;
      const specs = [...scope.snapshot.accounts.values()].filter((spec) => !args.id || spec.id === args.id);
      return specs.map((spec) => accountNode(scope, spec));
    },
    models(_: unknown, __: unknown, ctx: AdminContext): ModelNode[] {
      return [...ctx.scope.snapshot.models.values()].map((spec) => ({ scope: ctx.scope, spec }));
    },
  },
  Mutation: {
    async pauseAccount(_: unknown, args: { id: string; reason?: string | null }, ctx: AdminContext): Promise<AccountNode> {
      requireAccount(ctx.scope, args.id);
      await ctx.scope.deps.accounts.pause(args.id, args.reason?.trim() || null);
      return afterChange(ctx, args.id);
    },
    async resumeAccount(_: unknown, args: { id: string }, ctx: AdminContext): Promise<AccountNode> {
      requireAccount(ctx.scope, args.id);
      await ctx.scope.deps.accounts.resume(args.id);
      return afterChange(ctx, args.id);
    },
    async clearCooldown(_: unknown, args: { id: string }, ctx: AdminContext): Promise<AccountNode> {
      requireAccount(ctx.scope, args.id);
      await ctx.scope.deps.accounts.clearCooldown(args.id);
      return afterChange(ctx, args.id);
    },
  },
  Account: {
    id: (node: AccountNode) => node.spec.id,
    name: (node: AccountNode) => node.spec.name,
    kind: (node: AccountNode) => node.spec.kind,
    enabled: (node: AccountNode) => node.spec.enabled,
    weight: (node: AccountNode) => node.spec.weight,
    priority: (node: AccountNode) => node.spec.priority,
    plan: (node: AccountNode) => (node.spec.config.kind === 'chatgpt' ? (node.spec.config.plan ?? null) : null),
    baseUrl: (node: AccountNode) => maskedAccount(node)?.baseUrl ?? null,
    policies: (node: AccountNode) => node.spec.policies,
    models: (node: AccountNode): ModelNode[] =>
      [...node.scope.snapshot.models.values()].filter((model) => model.accountIds.includes(node.spec.id)).map((spec) => ({ scope: node.scope, spec })),
    status: (node: AccountNode) => accountStatus(node.spec, node.state, node.scope.now),
    available: (node: AccountNode) => accountStatus(node.spec, node.state, node.scope.now) === 'available',
    unavailableReason: (node: AccountNode) => unavailableReason(node.spec, node.state, node.scope.now),
    pause: (node: AccountNode) => (node.state.pause === null ? null : { since: node.state.pause.since, reason: node.state.pause.reason }),
    cooldown: (node: AccountNode) => {
      const cooldown = node.state.cooldown;
      if (cooldown === null || cooldown.until <= node.scope.now) return null;
      return { ...cooldown, remainingMs: cooldown.until - node.scope.now };
    },
    inFlight: (node: AccountNode) => node.state.inFlight,
    lastError: (node: AccountNode) => node.state.lastError,
    lastUsedAt: (node: AccountNode) => node.state.lastUsedAt,
    quota: (node: AccountNode) => node.state.quota,
    usage: async (node: AccountNode, args: RangeArgs) =>
      (await totalsFor(node.scope, 'account', node.spec.id, resolveRange(args.range, node.scope.now))) ?? emptyTotals(),
  },
  Model: {
    id: (node: ModelNode) => node.spec.id,
    name: (node: ModelNode) => node.spec.name,
    aliases: (node: ModelNode) => node.spec.aliases,
    upstreamModel: (node: ModelNode) => node.spec.upstreamModel,
    enabled: (node: ModelNode) => node.spec.enabled,
    accounts: (node: ModelNode): AccountNode[] => modelAccounts(node),
    availableAccounts: (node: ModelNode) =>
      modelAccounts(node).filter((account) => accountStatus(account.spec, account.state, node.scope.now) === 'available').length,
    fallback: (node: ModelNode): ModelNode | null => {
      const fallback = node.spec.fallback === null ? undefined : node.scope.snapshot.models.get(node.spec.fallback);
      return fallback === undefined ? null : { scope: node.scope, spec: fallback };
    },
    pricing: (node: ModelNode) => {
      const override = node.spec.config.pricing ?? null;
      const price = resolvePrice([node.spec.upstreamModel, node.spec.id], override);
      if (price === null) return null;
      return { input: price.input, cachedInput: price.cachedInput ?? price.input, output: price.output, source: override ? 'config' : 'built_in' };
    },
    usage: async (node: ModelNode, args: RangeArgs) =>
      (await totalsFor(node.scope, 'model', node.spec.id, resolveRange(args.range, node.scope.now))) ?? emptyTotals(),
  },
};

function modelAccounts(node: ModelNode): AccountNode[] {
  return node.spec.accountIds.flatMap((id) => {
    const spec = node.scope.snapshot.accounts.get(id);
    return spec === undefined ? [] : [accountNode(node.scope, spec)];
  });
}

function maskedAccount(node: AccountNode): { baseUrl?: string } | undefined {
  return node.scope.snapshot.masked.accounts[node.spec.order];
}

function requireAccount(scope: Scope, id: string): void {
  if (!scope.snapshot.accounts.has(id)) throw notFound(`no account '${id}' in the running config`);
}

/** The account as it is after the mutation (a new scope: the change is what the caller wants to see). */
function afterChange(ctx: AdminContext, id: string): AccountNode {
  ctx.accountFeed.poke();
  const scope = newScope(ctx.scope.deps);
  const spec = scope.snapshot.accounts.get(id) ?? ctx.scope.snapshot.accounts.get(id);
  if (spec === undefined) throw notFound(`account '${id}' was removed from the config meanwhile`);
  return accountNode(scope, spec);
}
