/** The vitest projects of the workspace; the root vitest.config.ts runs them all. */
export default [
  'packages/*/vitest.config.ts',
  'packages/*/vitest.graphql17.config.ts',
  'examples/*/vitest.config.ts',
  'test/vitest.config.ts',
  'bench/vitest.config.ts',
];
