import { defineProject } from 'vitest/config';
import { sharedProjectConfig, sharedTimeouts } from '../../vitest.shared.js';

export default defineProject({
  ...sharedProjectConfig,
  test: { name: 'recipes', include: ['test/**/*.test.ts'], ...sharedTimeouts },
});
