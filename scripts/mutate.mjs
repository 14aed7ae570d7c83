// `npm run mutate [-- engine|host|tui ... --with-static --files F1,F2 --concurrency N --leave-out T1,T2]`: Stryker over
// each folder of mutated code in turn, with that folder's tests (vitest.mutate.config.ts) and its own
// incremental file, so a re-run mutates only what changed. Prints the score per folder; reports land
// in reports/mutation/<folder>/. `--files` mutates only those files of the one folder named (a slice
// of the engine takes minutes where the whole folder takes hours), with reports in a folder of the
// slice's own, its results added to the folder's incremental file (and the folder's score so far
// printed); `--concurrency` overrides the config's sandboxes (1 beside other work on two cores).
// `--leave-out` runs a slice without those test files (slow ones that every survivor would pay in
// full): fewer tests can only kill fewer mutants, so its scores are lower bounds, recorded as such
// and kept out of the folder's incremental file.
import { copyFileSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { basename, relative, resolve } from 'node:path';
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
  options: { 'with-static': { type: 'boolean' }, files: { type: 'string' }, concurrency: { type: 'string' }, 'leave-out': { type: 'string' } },
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
const leftOut = options['leave-out']?.split(',').filter((file) => file !== '') ?? [];
const missingTests = leftOut.filter((file) => !existsSync(file));
if (missingTests.length > 0 || (leftOut.length > 0 && !files)) {
  console.error(missingTests.length > 0 ? `--leave-out names no test file: ${missingTests.join(', ')}` : '--leave-out needs --files: it measures a slice');
  process.exit(2);
}
const concurrency = options.concurrency === undefined ? undefined : Number(options.concurrency);
if (concurrency !== undefined && !(Number.isInteger(concurrency) && concurrency >= 1)) {
  console.error(`--concurrency must be a whole number from 1, not ${options.concurrency}`);
  process.exit(2);
}
/** How a set of mutants ended, by the fields of docs/mutation-scores.json (ignored ones left out). */
const TALLY_FIELDS = { Killed: 'killed', Timeout: 'timeout', Survived: 'survived', NoCoverage: 'noCoverage' };
function tallyOf(mutants) {
  const tally = { killed: 0, timeout: 0, survived: 0, noCoverage: 0 };
  for (const m of mutants) if (m.status in TALLY_FIELDS) tally[TALLY_FIELDS[m.status]]++;
  return tally;
}

/** A row of the summary: killed and timed out over those plus survived and not covered, as Stryker scores. */
function summary(label, { killed, timeout, survived, noCoverage }, minutes) {
  const detected = killed + timeout;
  const undetected = survived + noCoverage;
  const score = detected + undetected === 0 ? 100 : (100 * detected) / (detected + undetected);
  return { folder: label, score: score.toFixed(1), killed: detected, survived, noCoverage, minutes };
}

/**
 * Adds a slice's results to its folder's incremental file, which the next slice (or a run of the
 * whole folder) starts from; returns every mutant of the folder measured so far.
 */
function mergeSlice(folderFile, sliceFile) {
  const slice = JSON.parse(readFileSync(sliceFile, 'utf8'));
  const merged = existsSync(folderFile) ? JSON.parse(readFileSync(folderFile, 'utf8')) : slice;
  merged.files = { ...merged.files, ...slice.files };
  merged.testFiles = slice.testFiles; // the tests as they are now
  writeFileSync(folderFile, JSON.stringify(merged));
  return Object.values(merged.files).flatMap((file) => file.mutants);
}

/**
 * The per-file tallies in docs/mutation-scores.json, committed: the incremental files are local and a
 * fresh machine starts without them, so a folder's score across slices run on different days and
 * machines is added up from these. Rewrites the entries of the files just measured.
 */
const TALLY_FILE = 'docs/mutation-scores.json';
function recordTallies(folder, mutants) {
  const tallies = existsSync(TALLY_FILE) ? JSON.parse(readFileSync(TALLY_FILE, 'utf8')) : {};
  const date = new Date().toISOString().slice(0, 10);
  tallies[folder] ??= {};
  for (const file of new Set(mutants.map((m) => relative('.', m.fileName)))) {
    const tally = tallyOf(mutants.filter((m) => relative('.', m.fileName) === file));
    tallies[folder][file] = { date, ...tally, ...(leftOut.length > 0 ? { lowerBound: `without ${leftOut.map((test) => basename(test)).join(', ')}` } : {}) };
  }
  tallies[folder] = Object.fromEntries(Object.entries(tallies[folder]).sort(([a], [b]) => a.localeCompare(b)));
  // A line per file, so a slice's commit shows which files it measured.
  const folders = Object.entries(tallies).map(([name, byFile]) => `  ${JSON.stringify(name)}: {\n${
    Object.entries(byFile).map(([file, tally]) => `    ${JSON.stringify(file)}: ${JSON.stringify(tally)}`).join(',\n')}\n  }`);
  writeFileSync(TALLY_FILE, `{\n${folders.join(',\n')}\n}\n`);
  return Object.values(tallies[folder]);
}

/** The folder's tally over every file in docs/mutation-scores.json. */
function folderTally(rows) {
  const sum = (field) => rows.reduce((total, row) => total + row[field], 0);
  return { killed: sum('killed'), timeout: sum('timeout'), survived: sum('survived'), noCoverage: sum('noCoverage') };
}

// The seeded fuzz (test/security/hostile-input.test.ts) runs for a fixed time whatever the mutant:
// a second per target instead of eight, as every survivor pays it in full.
process.env.FLEXQ_FUZZ_MS = '1000';
const scores = [];
for (const folder of asked.length > 0 ? asked : Object.keys(FOLDERS)) {
  process.env.FLEXQ_MUTATE_FOLDER = folder; // read by vitest.mutate.config.ts in the test runner
  // A killed mutant mostly fails at a waitFor deadline (test/helpers.ts), so shorter deadlines make
  // a shorter run; the engine's timing tests need more of theirs on a loaded machine.
  process.env.FLEXQ_WAIT_SCALE = process.env.FLEXQ_MUTATE_WAIT_SCALE ?? FOLDERS[folder].waitScale;
  const folderFile = `reports/mutation/${folder}/incremental.json`;
  // A slice writes its own reports: Stryker's would hold only the slice's files. It starts from what
  // the folder's file knows, and adds its results to it afterwards.
  const sliceName = files?.map((file) => basename(file, '.ts')).join('+');
  const reports = files ? `reports/mutation/${folder}/${sliceName}${leftOut.length > 0 ? '@lower-bound' : ''}` : `reports/mutation/${folder}`;
  process.env.FLEXQ_MUTATE_LEAVE_OUT = leftOut.join(','); // read by vitest.mutate.config.ts
  if (files && leftOut.length === 0 && existsSync(folderFile)) {
    mkdirSync(reports, { recursive: true });
    copyFileSync(folderFile, `${reports}/incremental.json`);
  }
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
  const minutes = ((Date.now() - started) / 60_000).toFixed(1);
  // Stryker's results hold every file of the incremental file it started from: count the slice's alone.
  const measured = files ? results.filter((m) => files.some((file) => resolve(file) === resolve(m.fileName))) : results;
  scores.push(summary(files ? `${folder}: ${files.map((file) => basename(file, '.ts')).join(', ')}` : folder, tallyOf(measured), minutes));
  if (files && leftOut.length === 0) scores.push(summary(`${folder}: every file measured so far`, tallyOf(mergeSlice(folderFile, `${reports}/incremental.json`)), ''));
  scores.push(summary(`${folder}: every file in ${TALLY_FILE}`, folderTally(recordTallies(folder, measured)), ''));
}
console.table(scores);
