import { defineProject } from 'vitest/config';
import { processTimeouts, sharedProjectConfig } from '../../vitest.shared.js';

export default defineProject({
  ...sharedProjectConfig,
  test: { name: 'broadcast-demo', include: ['test/**/*.test.ts'], ...processTimeouts },
});
