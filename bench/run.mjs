// flexq vs BullMQ and the yardstick (a minimal batched queue, bench/yardstick.mjs):
// `npm run bench [-- --n 50000 --c 50 --runs 3 --only flexq,yardstick --scenario e2e]`.
// Builds nothing itself (npm run bench builds first); imports ../dist through bench/flexq.mjs.
// Every key it writes lives under its own prefix `fqb-<random>-<f|b><run>`, which
// it deletes after each scenario (`y` for the yardstick); it never flushes a database. Everything
// stops by itself.
import os from 'node:os';
import { performance } from 'node:perf_hooks';
import { Session } from 'node:inspector/promises';
import { writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import * as flexqAdapter from './flexq.mjs';
import * as bullmqAdapter from './bullmq.mjs';
import * as yardstickAdapter from './yardstick.mjs';
import { benchIsolation } from './isolation.mjs';
import { percentile, summarise, fmt } from './stats.mjs';
import {
  callsDelta, clientCounts, clientDelta, commandCalls, connectedClients, deletePrefix,
  installClientCounter, redisCpuSeconds, serverOpsPerSec, settledMemory, usedMemory,
} from './redis-info.mjs';
import {
  adminClient, gc, hardStop, intOption, loopbackUrl, option, paced, randomBasePrefix, sleep, until,
} from './harness.mjs';

// ---------------------------------------------------------------- options
const SCENARIOS = ['enqueue', 'process', 'e2e', 'latency', 'delayed', 'idle', 'memory'];
const opts = {
  redisUrl: process.env.REDIS_URL ?? 'redis://127.0.0.1:6379',
  n: intOption('n', 50_000),
  c: intOption('c', 50),
  runs: intOption('runs', 3),
  chunk: intOption('chunk', 1_000),
  only: option('only', 'all'),
  scenarios: option('scenario', 'all'),
  latencyCount: intOption('latency-count', 2_000),
  latencyRate: intOption('latency-rate', 500),
  latencyWarmup: intOption('latency-warmup', 2_000),
  delayedCount: intOption('delayed-count', 1_000),
  memoryCount: intOption('memory-count', 20_000),
  idleSeconds: intOption('idle-seconds', 5),
  profile: option('profile', ''), // file: CPU profile of flexq's processing phase only
};
const selected = opts.scenarios === 'all' ? SCENARIOS
  : opts.scenarios.split(',').flatMap((s) => (s === 'throughput' ? ['enqueue', 'process', 'e2e'] : [s]));
for (const s of selected) if (!SCENARIOS.includes(s)) throw new Error(`unknown scenario ${s}; one of ${SCENARIOS.join(', ')}, throughput, all`);
const adapters = { flexq: flexqAdapter, bullmq: bullmqAdapter, yardstick: yardstickAdapter };
const systems = opts.only === 'all' ? Object.keys(adapters) : opts.only.split(',');
for (const s of systems) if (!adapters[s]) throw new Error(`--only takes a comma list of ${Object.keys(adapters).join(', ')}`);
/** Whether a system takes part in a scenario (the yardstick has no delayed jobs; memory is flexq's retention). */
const runsScenario = (system, scenario) => adapters[system].scenarios?.includes(scenario) ?? true;
const url = loopbackUrl(opts.redisUrl);

// ---------------------------------------------------------------- figures
// better: which way is good; met(flexq, ratios) -> true/false, where ratios.bullmq and
// ratios.yardstick are flexq's median over theirs (NaN when that system did not run).
// Targets of issue 6 (against BullMQ) and issue 12 (against the yardstick and absolute).
const FIGURES = {
  enqueue_jobs_per_s: { unit: 'jobs/s', better: 'higher', target: '≥10× BullMQ, ≥0.7× yardstick', met: (_f, r) => r.bullmq >= 10 && r.yardstick >= 0.7 },
  process_jobs_per_s: { unit: 'jobs/s', better: 'higher', target: '≥4× BullMQ, ≥0.85× yardstick', met: (_f, r) => r.bullmq >= 4 && r.yardstick >= 0.85 },
  e2e_jobs_per_s: { unit: 'jobs/s', better: 'higher', target: '≥5× BullMQ, ≥0.85× yardstick', met: (_f, r) => r.bullmq >= 5 && r.yardstick >= 0.85 },
  latency_p50_ms: { unit: 'ms', better: 'lower' },
  latency_p95_ms: { unit: 'ms', better: 'lower' },
  latency_p99_ms: { unit: 'ms', better: 'lower', target: '≤1.5 ms', met: (f) => f <= 1.5 },
  latency_max_ms: { unit: 'ms', better: 'lower' },
  latency_cold_p99_ms: { unit: 'ms', better: 'lower' },
  redis_cmds_per_job_latency: { unit: 'cmds/job', better: 'lower', target: '≤12', met: (f) => f <= 12 },
  delayed_late_p50_ms: { unit: 'ms', better: 'lower' },
  delayed_late_p99_ms: { unit: 'ms', better: 'lower', target: '≤10 ms', met: (f) => f <= 10 },
  delayed_late_max_ms: { unit: 'ms', better: 'lower' },
  redis_cmds_per_job_enqueue: { unit: 'cmds/job', better: 'lower' },
  redis_cmds_per_job_process: { unit: 'cmds/job', better: 'lower' },
  redis_cmds_per_job_e2e: { unit: 'cmds/job', better: 'lower', target: '≤1', met: (f) => f <= 1 },
  node_cmds_per_job_e2e: { unit: 'cmds/job', better: 'lower' },
  node_writes_per_job_e2e: { unit: 'writes/job', better: 'lower' },
  redis_bytes_per_waiting_job: { unit: 'B/job', better: 'lower', target: '≤130 B', met: (f) => f <= 130 },
  redis_bytes_left_after_done: { unit: 'B', better: 'lower' },
  node_cpu_us_per_job_enqueue: { unit: 'µs/job', better: 'lower' },
  node_cpu_us_per_job_process: { unit: 'µs/job', better: 'lower' },
  node_cpu_us_per_job_e2e: { unit: 'µs/job', better: 'lower' },
  redis_cpu_us_per_job_enqueue: { unit: 'µs/job', better: 'lower' },
  redis_cpu_us_per_job_process: { unit: 'µs/job', better: 'lower' },
  redis_cpu_us_per_job_e2e: { unit: 'µs/job', better: 'lower' },
  idle_redis_cmds_per_s: { unit: 'cmds/s', better: 'lower', target: '≤2 per worker', met: (f) => f <= 2 },
  idle_node_cmds_per_s: { unit: 'cmds/s', better: 'lower' },
  memory_bytes_per_waiting_job: { unit: 'B/job', better: 'lower', target: '≤130 B', met: (f) => f <= 130 },
  memory_bytes_per_finished_job: { unit: 'B/job', better: 'lower' },
  memory_finished_over_waiting: { unit: '×', better: 'lower', target: '≤1 (finished ≤ waiting)', met: (f) => f <= 1 },
};
const SCENARIO_FIGURES = {
  enqueue: ['enqueue_jobs_per_s', 'redis_cmds_per_job_enqueue', 'redis_bytes_per_waiting_job', 'node_cpu_us_per_job_enqueue', 'redis_cpu_us_per_job_enqueue'],
  process: ['process_jobs_per_s', 'redis_cmds_per_job_process', 'node_cpu_us_per_job_process', 'redis_cpu_us_per_job_process', 'redis_bytes_left_after_done'],
  e2e: ['e2e_jobs_per_s', 'redis_cmds_per_job_e2e', 'node_cmds_per_job_e2e', 'node_writes_per_job_e2e', 'node_cpu_us_per_job_e2e', 'redis_cpu_us_per_job_e2e'],
  latency: ['latency_p50_ms', 'latency_p95_ms', 'latency_p99_ms', 'latency_max_ms', 'latency_cold_p99_ms', 'redis_cmds_per_job_latency'],
  delayed: ['delayed_late_p50_ms', 'delayed_late_p99_ms', 'delayed_late_max_ms'],
  idle: ['idle_redis_cmds_per_s', 'idle_node_cmds_per_s'],
  memory: ['memory_bytes_per_waiting_job', 'memory_bytes_per_finished_job', 'memory_finished_over_waiting'],
};

const results = {}; // figure -> system -> [value per run]
const details = {}; // `${system}:${scenario}` -> breakdown of the last run
function record(figure, system, value) {
  ((results[figure] ??= {})[system] ??= []).push(value);
}

// ---------------------------------------------------------------- helpers
const basePrefix = randomBasePrefix();
const admin = adminClient(opts.redisUrl);
/** e.g. `fqb-k3j2a9-f1`: flexq, run 1; `fqb-k3j2a9-b2`: BullMQ, run 2; `-y3`: the yardstick, run 3. */
const prefixOf = (system, run) => `${basePrefix}-${system[0]}${run}`;

/** Snapshot of every counter a cost figure is derived from. */
async function snapshot() {
  return {
    calls: await commandCalls(admin), redisCpu: await redisCpuSeconds(admin), client: clientCounts(), cpu: process.cpuUsage(),
    t: performance.now(),
  };
}
function costs(before, after, jobs) {
  const redis = callsDelta(before.calls, after.calls);
  const client = clientDelta(before.client, after.client);
  const cpu = after.cpu.user - before.cpu.user + after.cpu.system - before.cpu.system;
  const perJob = (o) => Object.fromEntries(Object.entries(o).sort((a, b) => b[1] - a[1]).map(([k, v]) => [k, +(v / jobs).toFixed(3)]));
  return {
    seconds: (after.t - before.t) / 1000,
    redisPerJob: redis.total / jobs,
    nodeCmdsPerJob: client.commands / jobs,
    writesPerJob: client.writes / jobs,
    cpuUsPerJob: cpu / jobs,
    redisCpuUsPerJob: ((after.redisCpu - before.redisCpu) * 1e6) / jobs,
    redisByCommand: perJob(redis.byCommand),
    nodeByCommand: perJob(client.byName),
  };
}

/** Opens a system's queue under a fresh prefix, runs `body`, then closes and deletes its keys. */
async function withQueue(system, run, queueName, body, settings = {}) {
  const prefix = prefixOf(system, run);
  const q = await adapters[system].open({ redisUrl: opts.redisUrl, prefix, queueName, concurrency: opts.c, ...settings });
  try {
    return await body(q);
  } finally {
    await q.close().catch((err) => console.error(`close ${system}: ${err.message}`));
    await deletePrefix(admin, prefix);
  }
}

const completionTimeout = () => 120_000 + opts.n; // generous: 1 ms per job on top of 2 min

// ---------------------------------------------------------------- scenarios
async function throughput(system, run) {
  const want = (s) => selected.includes(s);
  if (want('enqueue') || want('process')) {
    await withQueue(system, run, 'tp', async (q) => {
      gc();
      // Once Redis has freed the previous scenario's keys in the background, or they count here.
      const mem0 = await settledMemory(admin);
      const s0 = await snapshot();
      await q.enqueueBulk(opts.n, opts.chunk);
      const s1 = await snapshot();
      const mem1 = await usedMemory(admin);
      const enq = costs(s0, s1, opts.n);
      if (want('enqueue')) {
        record('enqueue_jobs_per_s', system, opts.n / enq.seconds);
        record('redis_cmds_per_job_enqueue', system, enq.redisPerJob);
        record('redis_bytes_per_waiting_job', system, (mem1 - mem0) / opts.n);
        record('node_cpu_us_per_job_enqueue', system, enq.cpuUsPerJob);
        record('redis_cpu_us_per_job_enqueue', system, enq.redisCpuUsPerJob);
        details[`${system}:enqueue`] = enq;
      }
      if (!want('process')) return;
      let done = 0;
      gc();
      const profiler = opts.profile && system === 'flexq' && run === 1 ? new Session() : undefined;
      if (profiler) {
        profiler.connect();
        await profiler.post('Profiler.enable');
        await profiler.post('Profiler.setSamplingInterval', { interval: 100 });
        await profiler.post('Profiler.start');
      }
      const p0 = await snapshot();
      await q.startWorkers(() => void done++);
      await until('all jobs to run', () => done >= opts.n, completionTimeout(), 20);
      await until('all outcomes to be stored', async () => (await q.unfinished()) === 0, 30_000);
      const p1 = await snapshot();
      if (profiler) {
        const { profile } = await profiler.post('Profiler.stop');
        writeFileSync(opts.profile, JSON.stringify(profile));
        profiler.disconnect();
      }
      await q.stopWorkers();
      const proc = costs(p0, p1, opts.n);
      record('process_jobs_per_s', system, opts.n / proc.seconds);
      record('redis_cmds_per_job_process', system, proc.redisPerJob);
      record('node_cpu_us_per_job_process', system, proc.cpuUsPerJob);
      record('redis_cpu_us_per_job_process', system, proc.redisCpuUsPerJob);
      record('redis_bytes_left_after_done', system, (await usedMemory(admin)) - mem0);
      details[`${system}:process`] = proc;
    });
  }
  if (want('e2e')) {
    await withQueue(system, run, 'e2e', async (q) => {
      let done = 0;
      await q.startWorkers(() => void done++);
      await sleep(300); // workers idle and waiting before the producer starts
      gc();
      const s0 = await snapshot();
      await q.enqueueBulk(opts.n, opts.chunk);
      await until('all jobs to run', () => done >= opts.n, completionTimeout(), 20);
      await until('all outcomes to be stored', async () => (await q.unfinished()) === 0, 30_000);
      const s1 = await snapshot();
      await q.stopWorkers();
      const e = costs(s0, s1, opts.n);
      record('e2e_jobs_per_s', system, opts.n / e.seconds);
      record('redis_cmds_per_job_e2e', system, e.redisPerJob);
      record('node_cmds_per_job_e2e', system, e.nodeCmdsPerJob);
      record('node_writes_per_job_e2e', system, e.writesPerJob);
      record('node_cpu_us_per_job_e2e', system, e.cpuUsPerJob);
      record('redis_cpu_us_per_job_e2e', system, e.redisCpuUsPerJob);
      details[`${system}:e2e`] = e;
    });
  }
}

/**
 * Issue 12's memory goal: Redis memory per waiting job and per finished job kept by retention,
 * both besides a 100-byte payload (counted apart), over `--memory-count` jobs kept whole.
 */
async function memory(system, run) {
  const count = opts.memoryCount;
  const payload = { p: 'x'.repeat(92) }; // {"p":"…"} is 100 bytes of JSON
  // The event feed is capped (about 2,000 entries), not kept per job: its share is left out.
  const eventsKey = `${prefixOf(system, run)}:{mem}:events`;
  const withoutEvents = async () => (await usedMemory(admin)) - Number((await admin.call('MEMORY', 'USAGE', eventsKey, 'SAMPLES', '0')) ?? 0);
  await withQueue(system, run, 'mem', async (q) => {
    gc();
    const mem0 = await settledMemory(admin);
    await q.enqueueBulk(count, opts.chunk, () => payload);
    const mem1 = await withoutEvents();
    let done = 0;
    await q.startWorkers(() => void done++);
    await until('the memory jobs to run', () => done >= count, completionTimeout(), 20);
    await until('their outcomes to be stored', async () => (await q.unfinished()) === 0, 30_000);
    await q.stopWorkers();
    const mem2 = await withoutEvents();
    const waiting = (mem1 - mem0) / count - 100;
    const finished = (mem2 - mem0) / count - 100;
    record('memory_bytes_per_waiting_job', system, waiting);
    record('memory_bytes_per_finished_job', system, finished);
    record('memory_finished_over_waiting', system, finished / waiting);
  }, { keepCompleted: count });
}

/**
 * `count` single dispatches paced at --latency-rate to a queue whose workers run `onStart`;
 * resolves once all have started and their outcomes are stored, to each one's latency (ms).
 */
async function pacedLatencies(q, count, setOnStart) {
  const sent = new Float64Array(count);
  const started = new Float64Array(count);
  let seen = 0;
  setOnStart((payload) => {
    started[payload.seq] = performance.now();
    seen++;
  });
  const failures = [];
  await paced(count, opts.latencyRate, (i) => {
    sent[i] = performance.now();
    q.dispatch({ seq: i }).catch((err) => failures.push(err));
  });
  await until('latency jobs to start', () => seen >= count, 60_000, 10);
  await until('latency outcomes to be stored', async () => (await q.unfinished()) === 0, 30_000);
  if (failures.length) throw failures[0];
  return Array.from(started, (s, i) => s - sent[i]);
}

async function latency(system, run) {
  await withQueue(system, run, 'lat', async (q) => {
    let onStart = () => {};
    await q.startWorkers((payload) => onStart(payload));
    await sleep(1_000); // workers idle, blocked waiting for work
    // A worker's first jobs run code V8 has not optimised yet (its compiler threads then compete
    // with the worker and Redis for the cores): measured apart, at the same pace, before the
    // steady state that a running service sees.
    if (opts.latencyWarmup > 0) {
      const cold = await pacedLatencies(q, opts.latencyWarmup, (handler) => (onStart = handler));
      record('latency_cold_p99_ms', system, percentile(cold, 99));
    }
    const s0 = await snapshot();
    const lat = await pacedLatencies(q, opts.latencyCount, (handler) => (onStart = handler));
    const s1 = await snapshot();
    // Everything the idle path costs per job: adding, waking, claiming, recording (and the few
    // heartbeats, lease renewals and stats polls of those 4 s).
    const c = costs(s0, s1, opts.latencyCount);
    record('redis_cmds_per_job_latency', system, c.redisPerJob);
    details[`${system}:latency`] = { redisPerJob: c.redisPerJob, redisByCommand: c.redisByCommand, nodeByCommand: c.nodeByCommand };
    record('latency_p50_ms', system, percentile(lat, 50));
    record('latency_p95_ms', system, percentile(lat, 95));
    record('latency_p99_ms', system, percentile(lat, 99));
    record('latency_max_ms', system, Math.max(...lat));
  });
}

async function delayed(system, run) {
  await withQueue(system, run, 'dly', async (q) => {
    const count = opts.delayedCount;
    const due = new Float64Array(count);
    const started = new Float64Array(count);
    let seen = 0;
    await q.startWorkers((payload) => {
      started[payload.seq] = Date.now();
      seen++;
    });
    await sleep(500);
    // Due times spread evenly over 3 s, the first 1 s after the dispatching starts.
    const pending = [];
    for (let i = 0; i < count; i++) {
      const delay = 1_000 + Math.floor((i * 3_000) / count);
      due[i] = Date.now() + delay;
      pending.push(q.dispatchDelayed({ seq: i }, delay));
      if (pending.length >= 100) await Promise.all(pending.splice(0));
    }
    await Promise.all(pending);
    await until('delayed jobs to start', () => seen >= count, 60_000, 10);
    const late = Array.from(started, (s, i) => s - due[i]);
    record('delayed_late_p50_ms', system, percentile(late, 50));
    record('delayed_late_p99_ms', system, percentile(late, 99));
    record('delayed_late_max_ms', system, Math.max(...late));
    details[`${system}:delayed`] = { earliest_ms: Math.min(...late) };
  });
}

async function idle(system, run) {
  await withQueue(system, run, 'idle', async (q) => {
    await q.startWorkers();
    await sleep(1_500); // past start-up work
    const s0 = await snapshot();
    await sleep(opts.idleSeconds * 1000);
    const s1 = await snapshot();
    const redis = callsDelta(s0.calls, s1.calls);
    const client = clientDelta(s0.client, s1.client);
    record('idle_redis_cmds_per_s', system, redis.total / opts.idleSeconds);
    record('idle_node_cmds_per_s', system, client.commands / opts.idleSeconds);
    details[`${system}:idle`] = { redisByCommand: redis.byCommand, nodeByCommand: client.byName };
  });
}

// ---------------------------------------------------------------- main
async function main() {
  await admin.connect();
  const info = await admin.info('server');
  const redisVersion = /redis_version:(\S+)/.exec(info)[1];
  installClientCounter();
  const clients0 = await connectedClients(admin);
  const othersOps = await serverOpsPerSec(admin, 1000);
  const load0 = os.loadavg();
  const ioredisVersion = createRequire(import.meta.url)('ioredis/package.json').version;
  const bullmqVersion = createRequire(import.meta.url)('bullmq/package.json').version;
  console.log(`flexq benchmark — node ${process.version}, Redis ${redisVersion} at ${url.host}, ioredis ${ioredisVersion}, BullMQ ${bullmqVersion}, yardstick bench/yardstick.mjs`);
  console.log(`machine: ${os.cpus().length} × ${os.cpus()[0]?.model ?? 'cpu'}, load average ${load0.map((l) => l.toFixed(2)).join(' ')}`);
  console.log(`N=${opts.n} C=${opts.c} chunk=${opts.chunk} runs=${opts.runs} systems=${systems.join(',')} scenarios=${selected.join(',')}`);
  console.log(`Redis before start: ${clients0} client(s) connected (this one included), ${fmt(othersOps)} cmds/s from others`);
  if (clients0 > 1 || othersOps > 5) console.log('  warning: others use this Redis; commandstats-based figures include their commands');
  // A SLOWLOG that keeps every command (left on by a stall probe) costs each command time and
  // holds their arguments in memory: latency and memory figures would be the log's.
  const [, slowlogUs] = (await admin.config('GET', 'slowlog-log-slower-than'));
  if (Number(slowlogUs) >= 0 && Number(slowlogUs) < 1_000) console.log(`  warning: slowlog-log-slower-than is ${slowlogUs} µs: SLOWLOG keeps (nearly) every command, which inflates latency and memory; CONFIG SET slowlog-log-slower-than 10000`);
  console.log(`key prefix: ${basePrefix}-*  (deleted after each scenario)\n`);

  for (let run = 1; run <= opts.runs; run++) {
    // Each run starts with another system, so none always runs first (or last) on a warming machine.
    const shift = (run - 1) % systems.length;
    const order = [...systems.slice(shift), ...systems.slice(0, shift)];
    for (const system of order) {
      const t = performance.now();
      if (selected.some((s) => ['enqueue', 'process', 'e2e'].includes(s))) await throughput(system, run);
      if (selected.includes('latency') && runsScenario(system, 'latency')) await latency(system, run);
      if (selected.includes('delayed') && runsScenario(system, 'delayed')) await delayed(system, run);
      if (selected.includes('idle') && runsScenario(system, 'idle')) await idle(system, run);
      if (selected.includes('memory') && runsScenario(system, 'memory')) await memory(system, run);
      console.log(`run ${run}/${opts.runs} ${system}: done in ${((performance.now() - t) / 1000).toFixed(1)} s (load ${os.loadavg()[0].toFixed(2)})`);
    }
  }

  printTable();
  printDetails();
  if (opts.scenarios === 'all' && systems.includes('flexq')) await benchIsolation({ redisUrl: opts.redisUrl });
  console.log(`\nload average at the end: ${os.loadavg().map((l) => l.toFixed(2)).join(' ')}`);
}

const LABELS = { flexq: 'flexq', bullmq: 'BullMQ', yardstick: 'yardstick' };

function printTable() {
  const others = systems.filter((x) => x !== 'flexq');
  const header = ['figure', 'unit', ...systems.map((x) => `${LABELS[x]} median (min–max)`), ...others.map((x) => `flexq/${LABELS[x]}`), 'target', 'met'];
  const rows = [header];
  const json = [];
  for (const scenario of selected) {
    for (const figure of SCENARIO_FIGURES[scenario]) {
      const def = FIGURES[figure];
      const s = {};
      for (const system of systems) {
        const values = results[figure]?.[system];
        if (!values) continue;
        s[system] = summarise(values);
        json.push({ figure, system, ...s[system], unit: def.unit, runs: values.length, values: values.map((v) => +v.toFixed(3)) });
      }
      const ratios = {};
      for (const other of ['bullmq', 'yardstick']) {
        ratios[other] = s.flexq && s[other] ? s.flexq.median / s[other].median : NaN;
        if (!Number.isFinite(ratios[other])) continue;
        // Per-run ratios (the systems of one run ran back to back): steadier under load.
        const fv = results[figure].flexq;
        const ov = results[figure][other];
        const paired = fv.map((f, i) => f / ov[i]).filter((r) => Number.isFinite(r)).map((r) => +r.toFixed(3));
        json.push({ figure, ratio: +ratios[other].toFixed(3), of: other, better: def.better, paired_ratios: paired });
      }
      const cell = (x) => (x ? `${fmt(x.median)} (${fmt(x.min)}–${fmt(x.max)})` : '—');
      // A target against a system that did not run cannot be judged: '?'.
      const judged = def.met && s.flexq && def.met(s.flexq.median, ratios);
      const unknown = def.target?.includes('×') && others.length < 2;
      const met = !def.met || !s.flexq ? '' : judged ? 'yes' : unknown ? '?' : 'NO';
      const ratioCells = others.map((x) => (Number.isFinite(ratios[x]) ? `${fmt(ratios[x])}×` : '—'));
      rows.push([figure, def.unit, ...systems.map((x) => cell(s[x])), ...ratioCells, def.target ?? '', met]);
    }
  }
  const numeric = (i) => i >= 2 && i < header.length - 2;
  const widths = header.map((_, i) => Math.max(...rows.map((r) => r[i].length)));
  const line = (r) => r.map((c, i) => (numeric(i) ? c.padStart(widths[i]) : c.padEnd(widths[i]))).join(' | ');
  console.log('\n' + line(rows[0]));
  console.log(widths.map((w) => '-'.repeat(w)).join('-|-'));
  for (const r of rows.slice(1)) console.log(line(r));
  console.log('');
  for (const j of json) console.log(JSON.stringify(j));
}

function printDetails() {
  if (Object.keys(details).length === 0) return;
  console.log('\nbreakdown of the last run (per job; Redis = INFO commandstats incl. commands inside scripts, node = commands sent by ioredis):');
  for (const [key, d] of Object.entries(details)) console.log(`${key}: ${JSON.stringify(d)}`);
}

hardStop(45);

main()
  .catch((err) => {
    console.error(err);
    process.exitCode = 1;
  })
  .finally(async () => {
    // Last-resort cleanup of anything left under this run's prefixes.
    for (const system of systems) {
      for (let run = 1; run <= opts.runs; run++) await deletePrefix(admin, prefixOf(system, run)).catch(() => {});
    }
    admin.disconnect();
    setTimeout(() => process.exit(), 1_000).unref();
  });
