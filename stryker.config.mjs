// @ts-check
/**
 * Mutation testing (issue 18): `npm run mutate` runs scripts/mutate.mjs, which calls Stryker once
 * per folder of mutated code with that folder's `mutate` globs, its tests (vitest.mutate.config.ts)
 * and its own incremental file. This file holds what the runs share.
 * @type {import('@stryker-mutator/api/core').PartialStrykerOptions}
 */
export default {
  testRunner: 'vitest',
  vitest: { configFile: 'vitest.mutate.config.ts', related: false },
  plugins: ['@stryker-mutator/vitest-runner'],
  // Each mutant runs only the tests that ran its code in the first, unmutated run.
  coverageAnalysis: 'perTest',
  // Two sandboxes beside the tests' Redis on a two-core machine (raise it on a bigger one).
  concurrency: 2,
  // Static mutants (code run once, when a module loads: the key table, constants) each need every
  // test of the folder, and are ~40% of the mutants but ~65% of the time. `npm run mutate --
  // --with-static` includes them (the scheduled run should).
  ignoreStatic: true,
  // A mutant that makes a test wait for what never comes (a lost wake-up, a timer never set) is a
  // timeout, which counts as killed: give each run its normal time plus room, then stop it.
  timeoutMS: 8_000,
  timeoutFactor: 1.5,
  // The first, unmutated run of a folder's tests (with per-test coverage) on a loaded machine.
  dryRunTimeoutMinutes: 30,
  incremental: true,
  reporters: ['clear-text', 'progress', 'html', 'json'],
  thresholds: { high: 90, low: 80, break: null },
  tempDirName: '.stryker-tmp',
  cleanTempDir: 'always',
  // The sandbox needs no copy of these (dist/ stays: test/fixtures spawn workers from it).
  ignorePatterns: ['bench', 'chaos', 'examples', 'reports', '.flexq', 'coverage'],
};
