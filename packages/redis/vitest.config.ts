import { defineProject } from 'vitest/config';
import { processTimeouts, sharedProjectConfig } from '../../vitest.shared.js';

export default defineProject({
  ...sharedProjectConfig,
  test: {
    name: 'redis',
    include: ['test/**/*.test.ts'],
    // Each file starts its own redis-server processes; files run one at a time to spare the two cores.
    fileParallelism: false,
    ...processTimeouts,
  },
});
