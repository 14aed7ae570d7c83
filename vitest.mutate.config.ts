import { defineConfig } from 'vitest/config';

/**
 * The tests `npm run mutate` (Stryker, see stryker.config.mjs and scripts/mutate.mjs) runs against
 * each mutant, per folder of mutated code: only tests that run in-process against the mutated
 * source. Process-level tests (test/exe, the fixtures under test/fixtures, the console in a pty)
 * run the built dist/, which Stryker does not mutate, so they could kill nothing and are left out;
 * so are the Redis Cluster tests (slow, and covered by the standalone ones here).
 */
export const MUTATION_TESTS: Record<string, string[]> = {
  // Besides the engine's own tests: the script tests (they load the library through the engine),
  // and the in-process tests that alone reach its error paths: ACL refusals, a full Redis, TLS, a
  // shard's outage, the alert state. Not test/topology/failover.test.ts: its cluster failover under
  // load missed its (shortened) deadline in a first run beside other work.
  engine: [
    'test/engine/*.test.ts', 'test/engine/scripts/*.test.ts', 'test/security/*.test.ts', 'test/chaos/faults.test.ts',
    'test/topology/shard-outage.test.ts', 'test/alerts/*.test.ts',
  ],
  host: [
    'test/host/*.test.ts', 'test/handlers/loader.test.ts',
  ],
  tui: [
    'test/tui/*.test.ts', 'test/tui/*.test.tsx',
  ],
};

/**
 * Tests of test/engine that stop and start their own Redis or run their workers in processes
 * spawned from dist/ (schedule-processes, isolation): they can kill no mutant, and their process
 * start-ups under a mutation run's load missed their deadlines and failed the unmutated first run.
 */
const PROCESS_LEVEL = [
  'test/engine/crash.test.ts', 'test/engine/reconnect.test.ts', 'test/engine/schedule-processes.test.ts', 'test/engine/isolation.test.ts',
];

const folder = process.env.FLEXQ_MUTATE_FOLDER ?? '';
const include = MUTATION_TESTS[folder] ?? Object.values(MUTATION_TESTS).flat();

export default defineConfig({
  test: {
    include,
    // `npm run mutate -- --leave-out` (scripts/mutate.mjs) drops more test files for a slice.
    exclude: [...PROCESS_LEVEL, ...(process.env.FLEXQ_MUTATE_LEAVE_OUT ?? '').split(',').filter((file) => file !== '')],
    testTimeout: 30_000,
    hookTimeout: 30_000,
    globalSetup: ['test/global-setup.ts'],
  },
});
