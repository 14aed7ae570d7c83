// `npm run mutate [-- engine|host|tui ... --with-static --files F1,F2 --concurrency N]`: Stryker over
// each folder of mutated code in turn, with that folder's tests (vitest.mutate.config.ts) and its own
// incremental file, so a re-run mutates only what changed. Prints the score per folder; reports land
// in reports/mutation/<folder>/. `--files` mutates only those files of the one folder named (a slice
// of the engine takes minutes where the whole folder takes hours), with reports in a folder of the
// slice's own; `--concurrency` overrides the config's sandboxes (1 beside other work on two cores).
import { basename } from 'node:path';
import { parseArgs } from 'node:util';
import { Stryker } from '@stryker-mutator/core';

/**
 * What is mutated, per folder, and how far its tests' waitFor deadlines shrink (see below). The
 * host's share is the code that turns flexq.toml into queues, workers, handlers, logging and
 * metrics; its CLI and console start-up run only in process-level tests of the built executable,
 * which cannot see mutants.
 */
const FOLDERS = {
  engine: { mutate: ['src/engine/*.ts', '!src/engine/types.ts'], waitScale: '0.6' },
  host: {
    mutate: [
      'src/config/config.ts', 'src/config/config-schema.ts', 'src/host/queue-set.ts', 'src/config/redis-target.ts',
      'src/host/worker-host.ts', 'src/host/handler-setup.ts', 'src/host/handler-wrappers.ts',
      'src/host/logger.ts', 'src/host/log-redaction.ts', 'src/host/metrics.ts', 'src/host/queue-event-log.ts',
    ],
    waitScale: '0.35',
  },
  tui: { mutate: ['src/tui/keymap.ts', 'src/tui/store.ts'], waitScale: '0.35' },
};

const { values: options, positionals: asked } = parseArgs({
  allowPositionals: true,
  options: { 'with-static': { type: 'boolean' }, files: { type: 'string' }, concurrency: { type: 'string' } },
});
const withStatic = options['with-static'] === true;
const unknown = asked.filter((name) => !(name in FOLDERS));
if (unknown.length > 0) {
  console.error(`unknown folder ${unknown.join(', ')}: choose from ${Object.keys(FOLDERS).join(', ')}`);
  process.exit(2);
}
const files = options.files?.split(',').filter((file) => file !== '');
if (files && asked.length !== 1) {
  console.error('--files needs exactly one folder, e.g. `npm run mutate -- engine --files src/engine/codec.ts`');
  process.exit(2);
}
const concurrency = options.concurrency === undefined ? undefined : Number(options.concurrency);
if (concurrency !== undefined && !(Number.isInteger(concurrency) && concurrency >= 1)) {
  console.error(`--concurrency must be a whole number from 1, not ${options.concurrency}`);
  process.exit(2);
}
const scores = [];
for (const folder of asked.length > 0 ? asked : Object.keys(FOLDERS)) {
  process.env.FLEXQ_MUTATE_FOLDER = folder; // read by vitest.mutate.config.ts in the test runner
  // A killed mutant mostly fails at a waitFor deadline (test/helpers.ts), so shorter deadlines make
  // a shorter run; the engine's timing tests need more of theirs on a loaded machine.
  process.env.FLEXQ_WAIT_SCALE = process.env.FLEXQ_MUTATE_WAIT_SCALE ?? FOLDERS[folder].waitScale;
  // A slice keeps its own reports and incremental file: Stryker's would keep only the last slice's mutants.
  const reports = files ? `reports/mutation/${folder}/${files.map((file) => basename(file, '.ts')).join('+')}` : `reports/mutation/${folder}`;
  const started = Date.now();
  const results = await new Stryker({
    configFile: 'stryker.config.mjs',
    ...(withStatic ? { ignoreStatic: false } : {}),
    ...(concurrency ? { concurrency } : {}),
    mutate: files ?? FOLDERS[folder].mutate,
    incrementalFile: `${reports}/incremental.json`,
    htmlReporter: { fileName: `${reports}/index.html` },
    jsonReporter: { fileName: `${reports}/mutation.json` },
  }).runMutationTest();
  const count = (...statuses) => results.filter((m) => statuses.includes(m.status)).length;
  const detected = count('Killed', 'Timeout');
  const undetected = count('Survived', 'NoCoverage');
  const score = detected + undetected === 0 ? 100 : (100 * detected) / (detected + undetected);
  scores.push({ folder, score: score.toFixed(1), killed: detected, survived: count('Survived'), noCoverage: count('NoCoverage'),
    minutes: ((Date.now() - started) / 60_000).toFixed(1) });
}
console.table(scores);
