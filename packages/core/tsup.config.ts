import { defineConfig } from 'tsup';
import { packageBuild } from '../../tsup.shared.js';

export default defineConfig(
  packageBuild({
    index: 'src/index.ts',
    'testing/index': 'src/testing/index.ts',
    'protocol/index': 'src/protocol/index.ts',
    'push/index': 'src/push/index.ts',
    'telemetry/index': 'src/telemetry/index.ts',
    'support/index': 'src/support/index.ts',
  }),
);
