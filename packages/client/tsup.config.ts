import { defineConfig } from 'tsup';
import { packageBuild } from '../../tsup.shared.js';

// Two entries with one API: Node (the `ws` package) and browsers (the global WebSocket); plus test hooks.
export default defineConfig(
  packageBuild(
    { index: 'src/index.ts', browser: 'src/browser.ts', testing: 'src/testing.ts' },
    { target: 'es2022', dts: { entry: { index: 'src/index.ts', testing: 'src/testing.ts' } } },
  ),
);
