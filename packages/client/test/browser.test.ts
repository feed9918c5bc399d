// The browser entry bundles for browsers: no Node built-ins, no `ws`.
import { fileURLToPath } from 'node:url';
import { type BuildOptions, build } from 'esbuild';
import { expect, it } from 'vitest';

const entry = fileURLToPath(new URL('../src/browser.ts', import.meta.url));

/** Bundles for the browser, as a user's bundler would, from the workspace sources. */
const bundle = (input: Pick<BuildOptions, 'entryPoints' | 'stdin'>) =>
  build({
    ...input,
    bundle: true,
    platform: 'browser',
    format: 'esm',
    write: false,
    metafile: true,
    conditions: ['@gqlcast/source'],
    logLevel: 'silent',
  });

it('bundles the browser entry for the browser platform, without Node built-ins or ws', async () => {
  const result = await bundle({ entryPoints: [entry] });
  expect(result.errors).toEqual([]);
  const inputs = Object.keys(result.metafile.inputs);
  expect(inputs.some((input) => /node_modules\/ws\//.test(input))).toBe(false);
  // Nothing is left to import at run time (a Node built-in could not have been bundled for the browser).
  const outputs = Object.values(result.metafile.outputs);
  expect(outputs.flatMap((output) => output.imports)).toEqual([]);
  expect(result.outputFiles[0]?.text ?? '').toContain('createClient');
});

it('resolves to the browser entry through the package exports for bundlers', async () => {
  const result = await bundle({
    stdin: {
      contents: "export { webSocketTransport } from '@gqlcast/client';",
      resolveDir: fileURLToPath(new URL('.', import.meta.url)),
    },
  });
  const inputs = Object.keys(result.metafile.inputs);
  expect(inputs.some((input) => input.endsWith('src/browser.ts'))).toBe(true);
  expect(inputs.some((input) => input.endsWith('src/index.ts'))).toBe(false);
});
