import { createRequire } from 'node:module';
import { defineConfig } from 'vitest/config';

export default defineConfig({
  resolve: {
    // graphql@16 ships a CJS `main` and an ESM `module` without an exports map: Node (and so
    // Apollo, graphql-ws, graphql-tools) loads the CJS build, while Vite would hand our sources
    // the ESM one, and graphql refuses a schema made by "another module or realm". Resolve it
    // the way Node does, as in production.
    alias: [{ find: /^graphql$/, replacement: createRequire(import.meta.url).resolve('graphql') }],
  },
  test: {
    include: ['test/**/*.test.ts'],
    testTimeout: 30_000,
    hookTimeout: 60_000,
    // Suites start servers and databases; two cores are shared with them.
    maxWorkers: 2,
  },
});
