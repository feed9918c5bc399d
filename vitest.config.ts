import { defineConfig } from 'vitest/config';
import projects from './vitest.workspace.js';

// Vitest 4 does not read vitest.workspace.ts by itself: its project list is imported here.
export default defineConfig({
  test: {
    projects,
    // Tests own their ports and processes; failures must name the test, not a hang.
    testTimeout: 30_000,
    hookTimeout: 60_000,
  },
});
