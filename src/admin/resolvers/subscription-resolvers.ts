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
        const stream = eventStream<RequestNode>(() => {
          offLocal();
          offRemote();
        });
        const offLocal = deps.bus.subscribe('request.completed', (record) => {
          if (matches(record)) stream.push({ ...record, instanceId: deps.instanceId });
        });
        // Requests served by the other instances of a cluster (relayed through Redis).
        const offRemote = deps.bus.subscribe('remote.request.completed', ({ instanceId, payload }) => {
          if (matches(payload)) stream.push({ ...payload, instanceId });
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
          offRemote();
        });
        const push = (result: ReloadResult) => stream.push({ ...result, instanceId: deps.instanceId });
        const offApplied = deps.bus.subscribe('config.applied', push);
        const offRejected = deps.bus.subscribe('config.rejected', push);
        const offRemote = deps.bus.subscribe('remote.config', ({ instanceId, payload }) => stream.push({ ...payload, instanceId }));
        return stream;
      },
      resolve: (payload: ConfigEventNode) => payload,
    },
    accountEvents: {
      subscribe(_: unknown, args: { accountId?: string | null }, ctx: AdminContext) {
        const stream = eventStream<AccountEventPayload>(() => {
          offLocal();
          offRemote();
        });
        const wanted = (accountId: string) => !args.accountId || accountId === args.accountId;
        const offLocal = ctx.accountFeed.subscribe((event) => {
          if (wanted(event.accountId)) stream.push(event);
        });
        const offRemote = ctx.scope.deps.bus.subscribe('remote.account.changed', ({ instanceId, payload }) => {
          if (wanted(payload.accountId)) stream.push(ctx.accountFeed.remotePayload(instanceId, payload));
        });
        return stream;
      },
      resolve: (payload: AccountEventPayload) => payload,
    },
  },
};
