import type { ReloadResult } from '../../runtime/events.js';
import type { UsageRecord } from '../../usage/usage-record.js';
import type { AccountEventPayload } from '../account-event-feed.js';
import type { AdminContext } from '../context.js';
import { eventStream } from '../event-stream.js';
import { usageUpdates } from '../usage-ticker.js';
import type { UsageArgs } from '../usage-report.js';
import type { RequestNode } from './usage-resolvers.js';

interface RequestEventFilterArg {
  keyId?: string | null;
  accountId?: string | null;
  model?: string | null;
  errorsOnly?: boolean | null;
}

type ConfigEventNode = ReloadResult & { instanceId: string };

/**
 * Each subscription is an async iterator fed by the bus (or a sampler); graphql-js calls
 * `return()` when the client unsubscribes or the socket closes, which removes the listener.
 * Payloads are already in their GraphQL shape, so `resolve` passes them through.
 */
export const subscriptionResolvers = {
  Subscription: {
    requestCompleted: {
      subscribe(_: unknown, args: { filter?: RequestEventFilterArg | null }, ctx: AdminContext) {
        const { deps } = ctx.scope;
        const filter = args.filter ?? {};
        const matches = (record: UsageRecord) =>
          (!filter.keyId || record.keyId === filter.keyId) &&
          (!filter.accountId || record.accountId === filter.accountId) &&
          (!filter.model || record.model === filter.model) &&
          (!filter.errorsOnly || record.status >= 400);
        const stream = eventStream<RequestNode>(() => off());
        const off = deps.bus.subscribe('request.completed', (record) => {
          if (matches(record)) stream.push({ ...record, instanceId: deps.instanceId });
        });
        return stream;
      },
      resolve: (payload: RequestNode) => payload,
    },
    usageUpdated: {
      subscribe: (_: unknown, args: UsageArgs, ctx: AdminContext) => usageUpdates(ctx.scope.deps, args),
      resolve: (payload: unknown) => payload,
    },
    configEvents: {
      subscribe(_: unknown, __: unknown, ctx: AdminContext) {
        const { deps } = ctx.scope;
        const stream = eventStream<ConfigEventNode>(() => {
          offApplied();
          offRejected();
        });
        const push = (result: ReloadResult) => stream.push({ ...result, instanceId: deps.instanceId });
        const offApplied = deps.bus.subscribe('config.applied', push);
        const offRejected = deps.bus.subscribe('config.rejected', push);
        return stream;
      },
      resolve: (payload: ConfigEventNode) => payload,
    },
    accountEvents: {
      subscribe(_: unknown, args: { accountId?: string | null }, ctx: AdminContext) {
        const stream = eventStream<AccountEventPayload>(() => off());
        const off = ctx.accountFeed.subscribe((event) => {
          if (!args.accountId || event.accountId === args.accountId) stream.push(event);
        });
        return stream;
      },
      resolve: (payload: AccountEventPayload) => payload,
    },
  },
};
