import { gzipSync } from 'node:zlib';
import { build } from 'esbuild';
import { expect, it } from 'vitest';

/** The browser bundle's budget: minified, gzip. */
const budget = 5 * 1024;

it('the browser entry bundles to at most 5 KB gzip, without graphql-js', async () => {
  const result = await build({
    entryPoints: [new URL('../src/browser.ts', import.meta.url).pathname],
    bundle: true,
    minify: true,
    format: 'esm',
    platform: 'browser',
    conditions: ['@gqlcast/source'],
    write: false,
    metafile: true,
    logLevel: 'silent',
  });
  const code = result.outputFiles[0]?.contents ?? new Uint8Array();
  const gzipped = gzipSync(code, { level: 9 }).length;
  console.log(`@gqlcast/client browser bundle: ${code.length} B minified, ${gzipped} B gzip (budget ${budget} B)`);
  const inputs = Object.keys(result.metafile.inputs);
  expect(inputs.filter((path) => path.includes('node_modules/graphql'))).toEqual([]);
  expect(inputs.some((path) => path.includes('core/src/protocol'))).toBe(true);
  expect(gzipped).toBeLessThanOrEqual(budget);
});
