// Bundles the two pages from npm packages at build time: nothing is fetched from a CDN at run time.
import { copyFile, mkdir } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const root = fileURLToPath(new URL('..', import.meta.url));
const out = `${root}dist/web/`;

export async function buildWeb(): Promise<void> {
  await mkdir(out, { recursive: true });
  await build({
    entryPoints: { chat: `${root}src/web/chat.ts`, graphiql: `${root}src/web/graphiql.tsx` },
    outdir: out,
    bundle: true,
    format: 'esm',
    platform: 'browser',
    target: 'es2022',
    minify: true,
    sourcemap: true,
    jsx: 'automatic',
    // Workspace packages from their sources (no package build needed); React in production mode.
    conditions: ['@gqlcast/source'],
    define: { 'process.env.NODE_ENV': '"production"' },
    loader: { '.svg': 'dataurl', '.woff': 'dataurl', '.woff2': 'dataurl', '.ttf': 'dataurl' },
    logLevel: 'warning',
  });
  await copyFile(`${root}src/web/chat.css`, `${out}chat.css`);
  for (const page of ['index.html', 'graphiql.html']) await copyFile(`${root}src/web/${page}`, `${out}${page}`);
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  await buildWeb();
  console.log(`Built the pages into ${out}`);
}
