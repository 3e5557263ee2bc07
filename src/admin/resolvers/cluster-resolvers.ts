import type { InstanceInfo } from '../../cluster/cluster-control.js';
import type { ReloadResult } from '../../runtime/events.js';
import type { ReloadOptions } from '../../runtime/reloader.js';
import type { AdminContext } from '../context.js';
import { serviceUnavailable } from '../errors.js';

type InstanceReloadNode = { instanceId: string; result: ReloadResult | null; error: string | null };
export type ReloadNode = ReloadResult & { instances?: InstanceReloadNode[]; peersError?: string | null };

/** `reloadConfig(all: true)`: every instance reloads its own file; this one's result carries the list. */
export async function reloadEverywhere(ctx: AdminContext, options: ReloadOptions): Promise<ReloadNode> {
  const { deps } = ctx.scope;
  if (deps.cluster === undefined) {
    const result = await deps.reloader.reload('admin', options);
    return { ...result, instances: [{ instanceId: deps.instanceId, result, error: null }], peersError: null };
  }
  const { entries, peersError } = await deps.cluster.reloadAll(options);
  const local = entries[0]?.result;
  if (local === null || local === undefined) throw serviceUnavailable('this instance did not reload');
  return { ...local, instances: entries, peersError };
}

/** `instances`: the cluster's live members, or this process alone. */
export const clusterResolvers = {
  Query: {
    async instances(_: unknown, __: unknown, ctx: AdminContext): Promise<InstanceInfo[]> {
      const { deps, snapshot, now } = ctx.scope;
      if (deps.cluster === undefined) {
        return [{ instanceId: deps.instanceId, url: null, startedAt: Math.round(now - process.uptime() * 1000), lastSeenAt: now, configVersion: snapshot.version, configHash: snapshot.hash }];
      }
      try {
        return await deps.cluster.instances();
      } catch (error) {
        throw serviceUnavailable(`the cluster's members cannot be read: ${error instanceof Error ? error.message : String(error)}`);
      }
    },
  },
  Instance: {
    self: (instance: InstanceInfo, _: unknown, ctx: AdminContext) => instance.instanceId === ctx.scope.deps.instanceId,
  },
};
