import { versionInfo } from 'graphql';
import { expect, it } from 'vitest';

// The `-graphql17` projects alias graphql to graphql 17 (and say so in the environment); the others run 16.
it('runs on the graphql major version its project names', () => {
  expect(versionInfo.major).toBe(Number(process.env.GQLCAST_GRAPHQL_MAJOR ?? 16));
});
