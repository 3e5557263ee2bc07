import { diffConfigs, isEmptyChange, summarizeChanges } from '../../config/diff.js';
import { formatIssue, hasErrors, type ConfigIssue } from '../../config/issues.js';
import type { Snapshot } from '../../runtime/snapshot.js';
import type { AdminContext } from '../context.js';
import { reloadEverywhere, type ReloadNode } from './cluster-resolvers.js';

interface ConfigNode {
  snapshot: Snapshot;
}

/** `config`, `configStatus`, `reloadConfig`, `validateConfig`. Secrets only ever come from `masked`. */
export const configResolvers = {
  Query: {
    config(_: unknown, __: unknown, ctx: AdminContext): ConfigNode {
      return { snapshot: ctx.scope.snapshot };
    },
    async configStatus(_: unknown, __: unknown, ctx: AdminContext) {
      const { snapshot, deps } = ctx.scope;
      return {
        version: snapshot.version,
        hash: snapshot.hash,
        loadedAt: snapshot.loadedAt,
        file: snapshot.file,
        inSync: await ctx.status.inSync(snapshot),
        lastResult: ctx.status.lastResult(),
        lastRejected: ctx.status.rejectedSinceApplied(),
        instanceId: deps.instanceId,
      };
    },
  },
  Mutation: {
    async reloadConfig(_: unknown, args: { force?: boolean | null; all?: boolean | null }, ctx: AdminContext): Promise<ReloadNode> {
      const options = { force: args.force === true };
      const result = args.all === true ? await reloadEverywhere(ctx, options) : await ctx.scope.deps.reloader.reload('admin', options);
      ctx.status.record(result);
      return result;
    },
    validateConfig(_: unknown, args: { yaml: string }, ctx: AdminContext) {
      const running = ctx.scope.snapshot;
      const loaded = ctx.scope.deps.reloader.validate(args.yaml, running.file);
      const valid = loaded.config !== null && !hasErrors(loaded.issues);
      const changes = valid && loaded.config !== null ? diffConfigs(running.config, loaded.config) : null;
      const errors = loaded.issues.filter((issue) => issue.severity === 'error').length;
      const summary = !valid
        ? `invalid: ${errors} error(s)`
        : changes === null || isEmptyChange(changes)
          ? 'valid; no effective change'
          : `valid; would apply: ${summarizeChanges(changes)}`;
      return { valid, issues: loaded.issues, hash: loaded.hash, changes, summary };
    },
  },
  Config: {
    version: (node: ConfigNode) => node.snapshot.version,
    hash: (node: ConfigNode) => node.snapshot.hash,
    loadedAt: (node: ConfigNode) => node.snapshot.loadedAt,
    file: (node: ConfigNode) => node.snapshot.file,
    document: (node: ConfigNode) => node.snapshot.masked,
    accounts: (node: ConfigNode) => node.snapshot.masked.accounts,
    models: (node: ConfigNode) => node.snapshot.masked.models,
    keys: (node: ConfigNode) => node.snapshot.masked.keys,
    policies: (node: ConfigNode) => node.snapshot.masked.policies,
  },
  ConfigIssue: {
    formatted: (issue: ConfigIssue) => formatIssue(issue),
  },
};
