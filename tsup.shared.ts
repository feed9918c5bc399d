import type { Options } from 'tsup';

/** The build every package shares: ESM for Node 20, type declarations, source maps. */
export function packageBuild(entry: Record<string, string>, overrides: Options = {}): Options {
  return { entry, format: ['esm'], target: 'node20', dts: true, sourcemap: true, clean: true, ...overrides };
}
