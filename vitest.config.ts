import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts', 'test/**/*.test.tsx'],
    testTimeout: 30_000,
    hookTimeout: 30_000,
    // Tests share one real Redis (each under its own prefix) and two cores.
    fileParallelism: true,
    maxWorkers: 2,
  },
});
