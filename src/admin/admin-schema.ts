import { readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { makeExecutableSchema } from '@graphql-tools/schema';
import type { GraphQLSchema } from 'graphql';
import { accountResolvers } from './resolvers/account-resolvers.js';
import { clusterResolvers } from './resolvers/cluster-resolvers.js';
import { configResolvers } from './resolvers/config-resolvers.js';
import { enumResolvers } from './resolvers/enum-values.js';
import { keyResolvers } from './resolvers/key-resolvers.js';
import { subscriptionResolvers } from './resolvers/subscription-resolvers.js';
import { usageResolvers } from './resolvers/usage-resolvers.js';
import { DateTimeScalar, JsonScalar, LongScalar } from './scalars.js';

/**
 * The SDL lives in `graphql/` at the package root (schema-first: the files are the contract).
 * Both `src/admin/` (tests, tsx) and `dist/src/admin/` (the built CLI) find it by walking up.
 */
export function sdlDirectory(): string {
  for (const up of ['../../graphql/', '../../../graphql/']) {
    const dir = fileURLToPath(new URL(up, import.meta.url));
    try {
      if (readdirSync(dir).some((name) => name.endsWith('.graphql'))) return dir;
    } catch {
      // try the next candidate
    }
  }
  throw new Error('codex-lb: the GraphQL SDL (graphql/*.graphql) was not found next to the package');
}

export function loadTypeDefs(dir = sdlDirectory()): string[] {
  return readdirSync(dir)
    .filter((name) => name.endsWith('.graphql'))
    .sort()
    .map((name) => readFileSync(`${dir}${name}`, 'utf8'));
}

export function buildAdminSchema(): GraphQLSchema {
  return makeExecutableSchema({
    typeDefs: loadTypeDefs(),
    resolvers: [
      { DateTime: DateTimeScalar, Long: LongScalar, JSON: JsonScalar },
      enumResolvers,
      configResolvers,
      accountResolvers,
      keyResolvers,
      usageResolvers,
      subscriptionResolvers,
      clusterResolvers,
    ],
    // A resolver for a field the SDL lacks is a typo: fail at startup, not at query time.
    resolverValidationOptions: { requireResolversToMatchSchema: 'error' },
  });
}
