import { fileURLToPath } from 'node:url';

const here = (path: string) => fileURLToPath(new URL(path, import.meta.url));

/**
 * Timeouts for every project. Vitest 4 projects do not inherit the root config's
 * `testTimeout`, so each project spreads these into its `test` options. They are
 * generous on purpose: a busy 2-core machine must not fail a test that would pass
 * on a quiet one (tests wait for readiness by signal, never by a fixed delay).
 */
export const sharedTimeouts = { testTimeout: 30_000, hookTimeout: 60_000 };

/** Larger timeouts for projects whose tests start processes (redis-server, servers, a browser). */
export const processTimeouts = { testTimeout: 90_000, hookTimeout: 120_000 };

/**
 * Settings every package's vitest project shares:
 * - workspace packages resolve to their TypeScript sources, so tests need no build;
 * - graphql resolves to one file, or vitest loads it twice ("another module or realm").
 */
export const sharedProjectConfig = {
  resolve: {
    alias: [
      { find: /^graphql$/, replacement: 'graphql/index.js' },
      { find: /^@gqlcast\/core$/, replacement: here('./packages/core/src/index.ts') },
      { find: /^@gqlcast\/core\/testing$/, replacement: here('./packages/core/src/testing/index.ts') },
      { find: /^@gqlcast\/core\/protocol$/, replacement: here('./packages/core/src/protocol/index.ts') },
      { find: /^@gqlcast\/core\/push$/, replacement: here('./packages/core/src/push/index.ts') },
      { find: /^@gqlcast\/core\/telemetry$/, replacement: here('./packages/core/src/telemetry/index.ts') },
      { find: /^@gqlcast\/core\/support$/, replacement: here('./packages/core/src/support/index.ts') },
      { find: /^@gqlcast\/pothos$/, replacement: here('./packages/pothos/src/index.ts') },
      { find: /^@gqlcast\/server$/, replacement: here('./packages/server/src/index.ts') },
      { find: /^@gqlcast\/server\/testing$/, replacement: here('./packages/server/src/testing/index.ts') },
      { find: /^@gqlcast\/server\/graphql-ws$/, replacement: here('./packages/server/src/graphql-ws/index.ts') },
      { find: /^@gqlcast\/client$/, replacement: here('./packages/client/src/index.ts') },
    ],
  },
};

/**
 * The same project on graphql 17 (installed as `graphql17`, an npm alias, in the
 * package's devDependencies): `graphql` and its subpaths resolve to graphql 17's
 * files, and the libraries that import graphql themselves (Pothos, graphql-ws, …)
 * are inlined so that they go through the same alias: one graphql instance.
 */
export function onGraphql17(packageDir: string, name: string) {
  const graphql17 = `${packageDir}/node_modules/graphql17/`;
  const aliases = sharedProjectConfig.resolve.alias.filter(({ replacement }) => replacement !== 'graphql/index.js');
  return {
    resolve: {
      alias: [
        { find: /^graphql$/, replacement: `${graphql17}index.js` },
        { find: /^graphql\/(.+\.js)$/, replacement: `${graphql17}$1` },
        { find: /^graphql\/([a-z]+)$/, replacement: `${graphql17}$1/index.js` },
        ...aliases,
      ],
    },
    test: {
      name: `${name}-graphql17`,
      env: { GQLCAST_GRAPHQL_MAJOR: '17' },
      include: ['test/**/*.test.ts'],
      server: {
        deps: { inline: [/@pothos\//, /graphql-ws/, /@apollo\/client/, /graphql-jit/, /subscriptions-transport-ws/] },
      },
      ...sharedTimeouts,
    },
  };
}
