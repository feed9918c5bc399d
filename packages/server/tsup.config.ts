import { defineConfig } from 'tsup';
import { packageBuild } from '../../tsup.shared.js';

export default defineConfig(
  packageBuild({
    index: 'src/index.ts',
    'testing/index': 'src/testing/index.ts',
    'graphql-ws/index': 'src/graphql-ws/index.ts',
  }),
);
