import { defineConfig } from 'vitest/config';

/** The engine's API tests that run a second time against a Redis Cluster. */
const CLUSTER_SUITE = [
  'test/engine/queue.test.ts', 'test/engine/fifo.test.ts', 'test/engine/slots.test.ts',
  'test/engine/handler-results.test.ts', 'test/engine/retention.test.ts', 'test/topology/cluster-topology.test.ts',
  'test/engine/schedules.test.ts',
  'test/topology/cluster-cli.test.ts', 'test/engine/shards.test.ts', 'test/topology/sharded-cluster.test.ts',
  'test/engine/operations.test.ts',
  'test/engine/unique.test.ts', 'test/engine/rate-limit.test.ts', 'test/engine/sharded-unique-rate.test.ts',
  'test/engine/groups.test.ts',
];

export default defineConfig({
  test: {
    testTimeout: 30_000,
    hookTimeout: 30_000,
    // Tests share one real Redis (each under its own prefix) and two cores.
    fileParallelism: true,
    maxWorkers: 2,
    projects: [
      {
        extends: true,
        test: {
          name: 'standalone',
          include: ['test/**/*.test.ts', 'test/**/*.test.tsx'],
          exclude: ['test/topology/cluster-topology.test.ts', 'test/topology/cluster-cli.test.ts', 'test/topology/sharded-cluster.test.ts'],
          // Deletes the Lua function library this run loaded into the test Redis (see the file).
          globalSetup: ['test/global-setup.ts'],
        },
      },
      { extends: true, test: { name: 'cluster', include: CLUSTER_SUITE, globalSetup: ['test/topology/cluster-setup.ts'] } },
    ],
  },
});
