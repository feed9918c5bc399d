import { fileURLToPath } from 'node:url';

const here = (path: string) => fileURLToPath(new URL(path, import.meta.url));

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
      { find: /^@gqlcast\/pothos$/, replacement: here('./packages/pothos/src/index.ts') },
      { find: /^@gqlcast\/server$/, replacement: here('./packages/server/src/index.ts') },
      { find: /^@gqlcast\/server\/testing$/, replacement: here('./packages/server/src/testing/index.ts') },
      { find: /^@gqlcast\/client$/, replacement: here('./packages/client/src/index.ts') },
    ],
  },
};
