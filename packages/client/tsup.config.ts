import { defineConfig } from 'tsup';

export default defineConfig({
  // Two entries with one API: Node (the `ws` package) and browsers (the global WebSocket).
  entry: { index: 'src/index.ts', browser: 'src/browser.ts' },
  format: ['esm'],
  target: 'es2022',
  dts: { entry: { index: 'src/index.ts' } },
  sourcemap: true,
  clean: true,
});
