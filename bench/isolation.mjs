// What isolation costs per job (issue 16): N queued no-op jobs run by one RedisWorker whose module
// handler (bench/isolation-handler.mjs) runs with isolation 'none', 'thread' and 'process', the
// modes interleaved over a few rounds. Run by `npm run bench` after its table, or alone:
// `npm run bench:isolation [-- --isolation-n 4000 --isolation-c 8 --isolation-rounds 3]` (after a
// build: `node --expose-gc bench/isolation.mjs`). Imports ../dist (an isolated runner starts dist's
// runner-entry.js). Keys live under `fqb-<random>-i<k>`, deleted after each measurement.
import os from 'node:os';
import { readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { performance } from 'node:perf_hooks';
import { RedisQueue, RedisWorker } from '../dist/index.js';
import { deletePrefix } from './redis-info.mjs';
import { fmt, summarise } from './stats.mjs';
import { adminClient, gc, hardStop, intOption, loopbackUrl, randomBasePrefix, until } from './harness.mjs';

const MODES = ['none', 'thread', 'process'];
const HANDLER = fileURLToPath(new URL('./isolation-handler.mjs', import.meta.url));
// Linux reports /proc CPU times in USER_HZ, 1/100 s, whatever the kernel's own tick rate.
const PROC_TICKS_PER_S = 100;

/** CPU µs used so far by each child process of this one, by pid; null where there is no /proc. */
function childProcessCpuUs() {
  let pids;
  try {
    pids = readdirSync('/proc').filter((name) => /^\d+$/.test(name));
  } catch {
    return null;
  }
  const byPid = new Map();
  for (const pid of pids) {
    let stat;
    try {
      stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    } catch {
      continue; // ended meanwhile
    }
    // After "pid (comm) ": state, ppid, … utime and stime are fields 14 and 15 of the line.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    if (Number(fields[1]) !== process.pid) continue;
    byPid.set(pid, ((Number(fields[11]) + Number(fields[12])) * 1e6) / PROC_TICKS_PER_S);
  }
  return byPid;
}

/** CPU µs the child processes used between two `childProcessCpuUs` readings (one started meanwhile counts whole). */
function childCpuDelta(before, after) {
  if (!before || !after) return NaN;
  let us = 0;
  for (const [pid, cpu] of after) us += cpu - (before.get(pid) ?? 0);
  return us;
}

/**
 * One measurement: `warmup + n` jobs queued, then the worker started; the clock and CPU counters run
 * from the moment the warm-up jobs are done (every runner started and loaded, the mode's code
 * optimised by V8) to the last job.
 */
async function measure({ redisUrl, prefix, mode, n, concurrency }) {
  const queue = await RedisQueue.connect('iso', { url: redisUrl, prefix });
  const warmup = Math.max(4 * concurrency, Math.ceil(n / 4));
  const total = warmup + n;
  for (let i = 0; i < total; i += 1_000) {
    await queue.pushBulk(Array.from({ length: Math.min(1_000, total - i) }, () => ({ type: 'noop', payload: {} })));
  }
  const done = async () => {
    const s = await queue.getStats();
    return total - (s.pendingJobs + s.delayedJobs + s.retryingJobs + s.processingJobs);
  };
  const worker = new RedisWorker(queue, { numWorkers: concurrency, isolation: mode });
  worker.registerHandler('noop', { module: HANDLER });
  const workerDone = worker.start();
  try {
    // Polled every 10 ms: the poll's own cost (one stats read) is the same in every mode.
    await until('the warm-up jobs', async () => (await done()) >= warmup, 60_000, 10);
    gc(); // the garbage of queueing the jobs, collected outside the window
    const children0 = childProcessCpuUs(); // read outside the CPU window: scanning /proc costs CPU too
    const done0 = await done();
    const cpu0 = process.cpuUsage();
    const t0 = performance.now();
    await until(`${mode}: all jobs`, async () => (await done()) >= total, 120_000, 10);
    const seconds = (performance.now() - t0) / 1000;
    const cpu = process.cpuUsage(cpu0);
    const children = childCpuDelta(children0, childProcessCpuUs());
    const jobs = total - done0;
    const { failedJobs } = await queue.getStats();
    if (failedJobs) throw new Error(`${mode}: ${failedJobs} job(s) failed`);
    const workerCpuUs = (cpu.user + cpu.system) / jobs;
    // A runner thread's CPU is already the worker process's; only 'process' has children's to add.
    const childCpuUs = mode === 'process' ? children / jobs : NaN;
    return {
      jobsPerS: jobs / seconds,
      wallUsPerJob: (seconds * 1e6) / jobs,
      workerCpuUsPerJob: workerCpuUs,
      childCpuUsPerJob: childCpuUs,
      totalCpuUsPerJob: mode === 'process' ? workerCpuUs + childCpuUs : workerCpuUs,
    };
  } finally {
    await worker.stop();
    await workerDone;
    await queue.close();
  }
}

const FIGURES = [
  ['jobsPerS', 'jobs/s'],
  ['wallUsPerJob', 'wall µs/job'],
  ['workerCpuUsPerJob', 'worker process CPU µs/job'],
  ['childCpuUsPerJob', 'child processes CPU µs/job'],
  ['totalCpuUsPerJob', 'total CPU µs/job'],
];
// Ratios to 'none' of the same round (the modes of a round ran back to back: steadier under load).
const RATIOS = [['wallUsPerJob', 'wall / none'], ['totalCpuUsPerJob', 'total CPU / none']];

/** Runs every mode `rounds` times after a warm-up round (each round starting with another), prints the table and JSON lines. */
export async function benchIsolation({
  redisUrl = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379',
  // Enough that a child process's CPU, read from /proc in 10 ms ticks, is measured to a few per cent.
  n = intOption('isolation-n', 4_000),
  concurrency = intOption('isolation-c', 8),
  rounds = intOption('isolation-rounds', 3),
} = {}) {
  loopbackUrl(redisUrl);
  const basePrefix = randomBasePrefix();
  const admin = adminClient(redisUrl);
  await admin.connect();
  console.log(`\nisolation (issue 16): N=${n} no-op module-handler jobs, concurrency ${concurrency}, ${rounds} rounds, one worker in this process; load average ${os.loadavg().map((l) => l.toFixed(2)).join(' ')}; keys under ${basePrefix}-i*`);
  const results = Object.fromEntries(MODES.map((mode) => [mode, []]));
  let measurements = 0;
  try {
    // Round 0, a quarter of the jobs, is not recorded: in a fresh process every mode's first
    // measurement came out slower (up to twice the CPU per job), V8 still optimising.
    for (let round = 0; round <= rounds; round++) {
      const order = [...MODES.slice(round % MODES.length), ...MODES.slice(0, round % MODES.length)];
      for (const mode of order) {
        const prefix = `${basePrefix}-i${++measurements}`;
        try {
          const measured = await measure({ redisUrl, prefix, mode, n: round === 0 ? Math.ceil(n / 4) : n, concurrency });
          if (round > 0) results[mode].push(measured);
        } finally {
          await deletePrefix(admin, prefix);
        }
      }
      console.log(`round ${round}/${rounds} done${round === 0 ? ' (warm-up, not recorded)' : ''} (load ${os.loadavg()[0].toFixed(2)})`);
    }
  } finally {
    admin.disconnect();
  }
  printTable(results);
  return results;
}

function printTable(results) {
  const ratioOf = (mode, key) => results[mode].map((r, i) => r[key] / results.none[i][key]);
  const cell = (values) => {
    const s = summarise(values);
    return Number.isFinite(s.median) ? `${fmt(s.median)} (${fmt(s.min)}–${fmt(s.max)})` : '—';
  };
  const header = ['isolation', ...FIGURES.map(([, label]) => label), ...RATIOS.map(([, label]) => label)];
  const rows = [header];
  const json = [];
  for (const mode of MODES) {
    const row = [mode];
    for (const [key] of FIGURES) {
      const values = results[mode].map((r) => r[key]);
      row.push(cell(values));
      if (values.some(Number.isFinite)) json.push({ figure: `isolation_${key}`, mode, ...summarise(values), values: values.map((v) => +v.toFixed(3)) });
    }
    for (const [key] of RATIOS) {
      const ratios = ratioOf(mode, key);
      row.push(`${cell(ratios)}×`);
      json.push({ figure: `isolation_${key}_ratio_to_none`, mode, ...summarise(ratios), values: ratios.map((v) => +v.toFixed(3)) });
    }
    rows.push(row);
  }
  const widths = header.map((_, i) => Math.max(...rows.map((r) => r[i].length)));
  const line = (r) => r.map((c, i) => (i === 0 ? c.padEnd(widths[i]) : c.padStart(widths[i]))).join(' | ');
  console.log('\nmedian (min–max) over the rounds; a thread runner\'s CPU is in the worker process\'s, a child process\'s apart (/proc)');
  console.log(line(rows[0]));
  console.log(widths.map((w) => '-'.repeat(w)).join('-|-'));
  for (const r of rows.slice(1)) console.log(line(r));
  console.log('');
  for (const j of json) console.log(JSON.stringify(j));
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  hardStop(5);
  benchIsolation().catch((err) => {
    console.error(err);
    process.exitCode = 1;
  });
}
