// The browser entry bundles for browsers: no Node built-ins, no `ws`.
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import { expect, it } from 'vitest';

const entry = fileURLToPath(new URL('../src/browser.ts', import.meta.url));

it('bundles the browser entry for the browser platform, without Node built-ins or ws', async () => {
  const result = await build({
    entryPoints: [entry],
    bundle: true,
    platform: 'browser',
    format: 'esm',
    write: false,
    metafile: true,
    conditions: ['@gqlcast/source'],
    logLevel: 'silent',
  });
  expect(result.errors).toEqual([]);
  const inputs = Object.keys(result.metafile.inputs);
  expect(inputs.some((input) => /node_modules\/ws\//.test(input))).toBe(false);
  // Nothing is left to import at run time (a Node built-in could not have been bundled for the browser).
  const outputs = Object.values(result.metafile.outputs);
  expect(outputs.flatMap((output) => output.imports)).toEqual([]);
  expect(result.outputFiles[0]?.text ?? '').toContain('createClient');
});

it('resolves to the browser entry through the package exports for bundlers', async () => {
  const result = await build({
    stdin: {
      contents: "export { webSocketTransport } from '@gqlcast/client';",
      resolveDir: fileURLToPath(new URL('.', import.meta.url)),
    },
    bundle: true,
    platform: 'browser',
    format: 'esm',
    write: false,
    metafile: true,
    conditions: ['@gqlcast/source'],
    logLevel: 'silent',
  });
  const inputs = Object.keys(result.metafile.inputs);
  expect(inputs.some((input) => input.endsWith('src/browser.ts'))).toBe(true);
  expect(inputs.some((input) => input.endsWith('src/index.ts'))).toBe(false);
});
