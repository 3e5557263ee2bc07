import type { RequestLogQuery, StatusClass, UsageTotals } from '../../usage/usage-query.js';
import { REQUEST_LOG_MAX_LIMIT } from '../../usage/usage-query.js';
import type { TokenUsage, UsageRecord } from '../../usage/usage-record.js';
import type { AdminContext } from '../context.js';
import { badInput } from '../errors.js';
import { usagePort } from '../scope.js';
import { usageFilter, usageReport, type UsageArgs } from '../usage-report.js';

/** A request as the SDL's RequestRecord: the record plus the instance that served it, when known. */
export type RequestNode = UsageRecord & { instanceId: string | null };

interface RequestFilterArg {
  keyId?: string | null;
  accountId?: string | null;
  withoutAccount?: boolean | null;
  model?: string | null;
  status?: StatusClass | null;
  from?: Date | null;
  to?: Date | null;
}

interface RequestsArgs {
  filter?: RequestFilterArg | null;
  first?: number | null;
  after?: string | null;
}

/** `usage` and `requests`, and the computed fields of the usage types. */
export const usageResolvers = {
  Query: {
    usage: (_: unknown, args: UsageArgs, ctx: AdminContext) => usageReport(ctx.scope, args),
    async requests(_: unknown, args: RequestsArgs, ctx: AdminContext) {
      const first = args.first ?? 50;
      if (!Number.isInteger(first) || first < 1 || first > REQUEST_LOG_MAX_LIMIT) {
        throw badInput(`first must be between 1 and ${REQUEST_LOG_MAX_LIMIT}`, 'first');
      }
      const port = usagePort(ctx.scope);
      const filter = args.filter ?? {};
      const query: RequestLogQuery = { ...usageFilter(filter), limit: first, cursor: args.after ?? null };
      if (filter.status) query.statusClass = filter.status;
      if (filter.from) query.from = filter.from.getTime();
      if (filter.to) query.to = filter.to.getTime();
      const page = await port.query.requestLog(query);
      const edges = page.items.map((entry) => ({ cursor: port.cursorAfter(entry), node: { ...entry, instanceId: null } satisfies RequestNode }));
      return {
        edges,
        nodes: edges.map((edge) => edge.node),
        pageInfo: { hasNextPage: page.nextCursor !== null, endCursor: edges.at(-1)?.cursor ?? null },
      };
    },
  },
  UsageTotals: {
    totalTokens: (t: UsageTotals) => t.inputTokens + t.outputTokens,
    costUsd: (t: UsageTotals) => t.costMicroUsd / 1_000_000,
    averageLatencyMs: (t: UsageTotals) => (t.requests === 0 ? null : t.latencyMsSum / t.requests),
  },
  UsageGroup: {
    // An ACCOUNT grouping reports requests that reached no account as null; other groupings omit it.
    accountId: (group: { accountId?: string | null }) => group.accountId ?? null,
  },
  TokenUsage: {
    totalTokens: (u: TokenUsage) => u.inputTokens + u.outputTokens,
  },
  RequestRecord: {
    costUsd: (r: RequestNode) => (r.costMicroUsd === null ? null : r.costMicroUsd / 1_000_000),
  },
};
