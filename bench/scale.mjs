// Scale sweeps of flexq alone: `npm run bench:scale [-- --sweep n,c,p --runs 3 --quick]`.
// N sweep: how enqueueing, memory, claiming and processing behave as the backlog grows.
// C sweep: processing and idle latency against the concurrency of one worker.
// P sweep: several worker processes (bench/scale-worker.mjs) sharing one queue.
// Builds nothing itself (npm run bench:scale builds first); uses ../dist through bench/flexq.mjs.
// Every data point gets a key prefix of its own, `fqb-<random>-f<number>`, deleted right after it;
// it never flushes a database. Every wait is bounded, and child processes are always reaped.
import os from 'node:os';
import { spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { performance } from 'node:perf_hooks';
import { open } from './flexq.mjs';
import { percentile, summarise, fmt } from './stats.mjs';
import { connectedClients, deletePrefix, serverOpsPerSec, settledMemory } from './redis-info.mjs';
import {
  adminClient, flag, gc, hardStop, intListOption, intOption, loopbackUrl, option, paced, randomBasePrefix, sleep,
  until,
} from './harness.mjs';

// ---------------------------------------------------------------- options
const quick = flag('quick'); // small sizes: a smoke check that every sweep works
const opts = {
  redisUrl: process.env.REDIS_URL ?? 'redis://127.0.0.1:6379',
  sweeps: option('sweep', 'n,c,p').split(','),
  runs: intOption('runs', 1),
  chunk: intOption('chunk', 1_000),
  c: intOption('c', 50), // concurrency of the N and P sweeps (in total for P)
  nList: intListOption('n-list', quick ? '10000,50000' : '10000,100000,1000000'),
  head: intOption('head', 20_000),
  cList: intListOption('c-list', quick ? '1,50' : '1,10,50,200,500'),
  cN: intOption('c-n', 20_000),
  pList: intListOption('p-list', quick ? '1,2' : '1,2,4,8'),
  pN: intOption('p-n', 50_000),
};
for (const s of opts.sweeps) if (!['n', 'c', 'p'].includes(s)) throw new Error(`unknown sweep ${s}; one of n, c, p`);
const url = loopbackUrl(opts.redisUrl);

// Dispatch → handler-start probes. Under a backlog they go at a higher priority than the backlog,
// so they show how fast a claim reaches a new job, not how long the backlog takes to drain.
const BACKLOG_PROBE = { count: 200, ratePerS: 200, options: { priority: 1 } };
const IDLE_PROBE = { count: 500, ratePerS: 250 };
/** flexq's default retention of completed jobs (keepCompleted.count). */
const KEEP_COMPLETED = 1_000;
const QUEUE = 'scale';
const WORKER_SCRIPT = fileURLToPath(new URL('./scale-worker.mjs', import.meta.url));

const basePrefix = randomBasePrefix();
const admin = adminClient(opts.redisUrl);
let prefixCount = 0;

const completionTimeout = (n) => 120_000 + n; // generous: 1 ms per job on top of 2 min

// ---------------------------------------------------------------- helpers
/** Opens a queue under a fresh prefix, runs `body(q, prefix)`, then closes it and deletes its keys. */
async function withQueue(concurrency, body) {
  const prefix = `${basePrefix}-f${++prefixCount}`;
  const q = await open({ redisUrl: opts.redisUrl, prefix, queueName: QUEUE, concurrency });
  try {
    return await body(q, prefix);
  } finally {
    await q.close().catch((err) => console.error(`close: ${err.message}`));
    await deletePrefix(admin, prefix);
  }
}

/**
 * The in-process handler's bookkeeping: counts backlog jobs (noting when the `head`-th one started)
 * and notes when each probe job (payload `{ probe: i }`) started.
 */
function tracker(head, probeCount) {
  const t = { done: 0, headAt: 0, probesSeen: 0, sent: new Float64Array(probeCount), started: new Float64Array(probeCount) };
  t.handler = (payload) => {
    if (payload.probe === undefined) {
      if (++t.done === head) t.headAt = performance.now();
    } else {
      t.started[payload.probe] = performance.now();
      t.probesSeen++;
    }
  };
  return t;
}

/** Dispatches the probe jobs on schedule; resolves after the last dispatch with the failed ones' errors. */
async function sendProbes(q, t, { count, ratePerS, options }) {
  const failures = [];
  await paced(count, ratePerS, (i) => {
    t.sent[i] = performance.now();
    q.dispatch({ probe: i }, options).catch((err) => failures.push(err));
  });
  return failures;
}

/** Dispatch → handler-start times in ms, once every probe job has started. */
async function probeLatencies(t, failures) {
  await until('probe jobs to start', () => t.probesSeen >= t.sent.length, 60_000, 10);
  if (failures.length) throw failures[0];
  return Array.from(t.started, (s, i) => s - t.sent[i]);
}

/** Waits until `n` backlog jobs ran and nothing is waiting or running (outcomes stored). */
async function backlogDone(q, t, n) {
  await until('all jobs to run', () => t.done >= n, completionTimeout(n), 20);
  await until('all outcomes to be stored', async () => (await q.unfinished()) === 0, 30_000);
}

// ---------------------------------------------------------------- sweeps
// Each data point returns { figures: { name: value }, lists?: { name: [numbers] } } for one run.

async function nPoint({ n, c }) {
  return withQueue(c, async (q) => {
    const head = Math.min(opts.head, n);
    const t = tracker(head, BACKLOG_PROBE.count);
    gc();
    const mem0 = await settledMemory(admin);
    const e0 = performance.now();
    await q.enqueueBulk(n, opts.chunk);
    const enqueueSeconds = (performance.now() - e0) / 1000;
    const mem1 = await settledMemory(admin);

    gc();
    const p0 = performance.now();
    await q.startWorkers(t.handler);
    const probing = sendProbes(q, t, BACKLOG_PROBE).then(async (failures) => ({
      failures, waiting: (await q.stats()).pendingJobs, // how large the backlog still was at the last probe
    }));
    probing.catch(() => {}); // awaited below; this only keeps it from going unhandled if a wait fails first
    await backlogDone(q, t, n);
    const processSeconds = (performance.now() - p0) / 1000;
    const { failures, waiting } = await probing;
    const latencies = await probeLatencies(t, failures);

    // Retention runs inside the calls that store outcomes; give it a moment, then report what it kept.
    await until('the probes\' outcomes to be stored', async () => (await q.unfinished()) === 0, 30_000);
    const completedKept = async () => (await q.stats()).completedJobs;
    await until(`retention to keep at most ${KEEP_COMPLETED} completed jobs`, async () => (await completedKept()) <= KEEP_COMPLETED, 5_000, 50)
      .catch((err) => console.log(`  note: ${err.message}`));
    await q.stopWorkers();
    const mem2 = await settledMemory(admin);
    return {
      figures: {
        enqueue_jobs_per_s: n / enqueueSeconds,
        bytes_per_waiting_job: (mem1 - mem0) / n,
        head_jobs_per_s: head / ((t.headAt - p0) / 1000),
        process_jobs_per_s: n / processSeconds,
        probe_p50_ms: percentile(latencies, 50),
        probe_p99_ms: percentile(latencies, 99),
        waiting_at_last_probe: waiting,
        bytes_left_after_done: mem2 - mem0,
        completed_kept: await completedKept(),
      },
    };
  });
}

async function cPoint({ n, c }) {
  return withQueue(c, async (q) => {
    const t = tracker(n, IDLE_PROBE.count);
    await q.enqueueBulk(n, opts.chunk);
    gc();
    const p0 = performance.now();
    await q.startWorkers(t.handler);
    await backlogDone(q, t, n);
    const processSeconds = (performance.now() - p0) / 1000;
    await sleep(1_000); // the worker idle, blocked waiting for work
    const latencies = await probeLatencies(t, await sendProbes(q, t, IDLE_PROBE));
    return {
      figures: {
        process_jobs_per_s: n / processSeconds,
        idle_p50_ms: percentile(latencies, 50),
        idle_p99_ms: percentile(latencies, 99),
      },
    };
  });
}

/** A child process running one RedisWorker (bench/scale-worker.mjs); its state follows its stdout. */
function startWorkerProcess(prefix, numWorkers) {
  const proc = spawn(process.execPath, [WORKER_SCRIPT], {
    env: { ...process.env, REDIS_URL: opts.redisUrl, BENCH_PREFIX: prefix, BENCH_QUEUE: QUEUE, BENCH_NUM_WORKERS: String(numWorkers) },
    stdio: ['pipe', 'pipe', 'inherit'],
  });
  const w = { proc, ready: false, report: undefined, exit: undefined };
  createInterface({ input: proc.stdout }).on('line', (line) => {
    if (line === 'ready') w.ready = true;
    else if (line.startsWith('{')) w.report = JSON.parse(line);
  });
  proc.once('exit', (code, signal) => (w.exit = { code, signal }));
  proc.once('error', (err) => (w.exit = { error: err.message }));
  return w;
}

async function pPoint({ n, p, c, each }) {
  return withQueue(c, async (q, prefix) => {
    await q.enqueueBulk(n, opts.chunk);
    const workers = [];
    try {
      for (let i = 0; i < p; i++) workers.push(startWorkerProcess(prefix, each));
      await until('worker processes to be ready', () => {
        const gone = workers.find((w) => w.exit);
        if (gone) throw new Error(`a worker process ended before it was ready: ${JSON.stringify(gone.exit)}`);
        return workers.every((w) => w.ready);
      }, 60_000, 10);
      // Started together, so no process gets a head start while the others are still loading.
      for (const w of workers) w.proc.stdin.write('start\n');
      await until('all jobs to be done', async () => (await q.unfinished()) === 0, completionTimeout(n), 20);
      const doneAt = Date.now();
      for (const w of workers) w.proc.kill('SIGTERM');
      await until('worker processes to stop', () => workers.every((w) => w.exit), 30_000, 10);
      const failed = workers.find((w) => w.exit.code !== 0 || !w.report);
      if (failed) throw new Error(`a worker process failed: ${JSON.stringify(failed.exit)}`);
      const jobs = workers.map((w) => w.report.jobs);
      const total = jobs.reduce((a, b) => a + b, 0);
      if (total !== n) throw new Error(`worker processes ran ${total} jobs, expected ${n}`);
      const firstJobAt = Math.min(...workers.map((w) => w.report.firstJobAt).filter((at) => at > 0));
      return { figures: { process_jobs_per_s: n / ((doneAt - firstJobAt) / 1000) }, lists: { jobs_per_process: jobs } };
    } finally {
      for (const w of workers) {
        if (w.exit || w.proc.pid === undefined) continue;
        try {
          process.kill(w.proc.pid, 'SIGKILL');
        } catch {
          // already gone
        }
      }
      await until('killed worker processes to exit', () => workers.every((w) => w.exit), 5_000, 10);
    }
  });
}

// Per sweep: the data points, how to run one, and the table columns ([key, header]).
const SWEEPS = {
  n: {
    title: `N sweep: waiting jobs, C=${opts.c}, bulk chunks of ${fmt(opts.chunk)}`,
    points: opts.nList.map((n) => ({ n, c: opts.c })),
    params: [['n', 'N']],
    run: nPoint,
    columns: [
      ['enqueue_jobs_per_s', 'enqueue jobs/s'],
      ['bytes_per_waiting_job', 'B/waiting job'],
      ['head_jobs_per_s', `first ${fmt(opts.head)} jobs/s`],
      ['process_jobs_per_s', 'all jobs/s'],
      ['probe_p50_ms', 'probe p50 ms'],
      ['probe_p99_ms', 'probe p99 ms'],
      ['waiting_at_last_probe', 'waiting at last probe'],
      ['bytes_left_after_done', 'B left after done'],
      ['completed_kept', 'completed kept'],
    ],
  },
  c: {
    title: `C sweep: concurrency of one worker, N=${fmt(opts.cN)}`,
    points: opts.cList.map((c) => ({ n: opts.cN, c })),
    params: [['c', 'C']],
    run: cPoint,
    columns: [
      ['process_jobs_per_s', 'jobs/s'],
      ['idle_p50_ms', 'idle p50 ms'],
      ['idle_p99_ms', 'idle p99 ms'],
    ],
  },
  p: {
    title: `P sweep: worker processes on one queue, C=${opts.c} in total, N=${fmt(opts.pN)}`,
    points: opts.pList.map((p) => ({ n: opts.pN, p, c: opts.c, each: Math.ceil(opts.c / p) })),
    params: [['p', 'P'], ['each', 'C each']],
    run: pPoint,
    columns: [['process_jobs_per_s', 'jobs/s']],
    lists: [['jobs_per_process', 'jobs per process (last run)']],
  },
};

// ---------------------------------------------------------------- output
/** Counts in full, measurements rounded. */
const show = (v) => (Number.isInteger(v) ? v.toLocaleString('en-US') : fmt(v));

function printSweep(name, sweep, results) {
  const cell = (values) => {
    const s = summarise(values);
    return opts.runs > 1 ? `${show(s.median)} (${show(s.min)}–${show(s.max)})` : show(s.median);
  };
  const lists = sweep.lists ?? [];
  const rows = [[...sweep.params.map(([, h]) => h), ...sweep.columns.map(([, h]) => h), ...lists.map(([, h]) => h)]];
  for (const r of results) {
    rows.push([
      ...sweep.params.map(([key]) => show(r.point[key])),
      ...sweep.columns.map(([key]) => cell(r.values[key])),
      ...lists.map(([key]) => r.lists[key].at(-1).map(show).join(' / ')),
    ]);
  }
  const widths = rows[0].map((_, i) => Math.max(...rows.map((row) => row[i].length)));
  const line = (row) => row.map((c, i) => c.padStart(widths[i])).join(' | ');
  console.log(`\n${sweep.title}${opts.runs > 1 ? `; median (min–max) of ${opts.runs} runs` : ''}`);
  console.log(line(rows[0]));
  console.log(widths.map((w) => '-'.repeat(w)).join('-|-'));
  for (const row of rows.slice(1)) console.log(line(row));
  console.log('');
  for (const r of results) {
    const figures = Object.fromEntries(Object.entries(r.values).map(([key, values]) => {
      const s = summarise(values);
      return [key, { median: +s.median.toFixed(3), min: +s.min.toFixed(3), max: +s.max.toFixed(3), values: values.map((v) => +v.toFixed(3)) }];
    }));
    console.log(JSON.stringify({ sweep: name, ...r.point, runs: opts.runs, ...figures, ...r.lists }));
  }
}

// ---------------------------------------------------------------- main
async function main() {
  await admin.connect();
  const redisVersion = /redis_version:(\S+)/.exec(await admin.info('server'))[1];
  const clients0 = await connectedClients(admin);
  const othersOps = await serverOpsPerSec(admin, 1000);
  console.log(`flexq scale sweeps — node ${process.version}, Redis ${redisVersion} at ${url.host}`);
  console.log(`machine: ${os.cpus().length} × ${os.cpus()[0]?.model ?? 'cpu'}, load average ${os.loadavg().map((l) => l.toFixed(2)).join(' ')}`);
  console.log(`sweeps=${opts.sweeps.join(',')} runs=${opts.runs}${quick ? ' (quick)' : ''}`);
  console.log(`Redis before start: ${clients0} client(s) connected (this one included), ${fmt(othersOps)} cmds/s from others`);
  if (clients0 > 1 || othersOps > 5) console.log('  warning: others use this Redis; memory and throughput figures include their work');
  console.log(`key prefix: ${basePrefix}-*  (deleted after each data point)`);

  for (const name of opts.sweeps) {
    const sweep = SWEEPS[name];
    const results = sweep.points.map((point) => ({ point, values: {}, lists: {} }));
    for (let run = 1; run <= opts.runs; run++) {
      for (const r of results) {
        const t0 = performance.now();
        const { figures, lists = {} } = await sweep.run(r.point);
        for (const [key, value] of Object.entries(figures)) (r.values[key] ??= []).push(value);
        for (const [key, list] of Object.entries(lists)) (r.lists[key] ??= []).push(list);
        const where = sweep.params.map(([key, header]) => `${header}=${r.point[key]}`).join(' ');
        console.log(`${name} sweep ${where} run ${run}/${opts.runs}: ${((performance.now() - t0) / 1000).toFixed(1)} s (load ${os.loadavg()[0].toFixed(2)})`);
      }
    }
    printSweep(name, sweep, results);
  }
  console.log(`load average at the end: ${os.loadavg().map((l) => l.toFixed(2)).join(' ')}`);
}

hardStop(60);

main()
  .catch((err) => {
    console.error(err);
    process.exitCode = 1;
  })
  .finally(async () => {
    // Last-resort cleanup of anything left under this run's prefixes.
    for (let i = 1; i <= prefixCount; i++) await deletePrefix(admin, `${basePrefix}-f${i}`).catch(() => {});
    admin.disconnect();
    setTimeout(() => process.exit(), 1_000).unref();
  });
