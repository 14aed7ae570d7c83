// Topology benchmark: `npm run bench:topology [-- --n 50000 --c 50 --runs 1]`.
// One queue on one Redis against a 3-shard queue on a 3-primary Redis Cluster, in the same run,
// each on servers of its own on loopback ports (started here, stopped by pid at the end). For
// each: bulk enqueue and processing in jobs/s, and the Redis CPU per job on each primary (INFO cpu,
// user + sys), which shows how the load spreads and what more cores would give.
import { Redis } from 'ioredis';
import { loadavg } from 'node:os';
import { performance } from 'node:perf_hooks';
import { writeFileSync } from 'node:fs';
import { RedisQueue, RedisWorker, type RedisQueueConfig } from '../src/index.js';
import { RedisServer } from '../chaos/redis-server.js';
import { startCluster } from '../test/topology/servers.js';

/** `--name N` on the command line, or env BENCH_NAME, else `fallback`: a positive integer. */
function intOption(name: string, fallback: number): number {
  const i = process.argv.indexOf(`--${name}`);
  const value = Number(i >= 0 ? process.argv[i + 1] : process.env[`BENCH_${name.toUpperCase()}`] ?? fallback);
  if (!Number.isInteger(value) || value < 1) throw new Error(`--${name} must be a positive integer`);
  return value;
}

const opts = { n: intOption('n', 50_000), c: intOption('c', 50), runs: intOption('runs', 1), chunk: intOption('chunk', 1_000) };

/** CPU seconds (user + sys) each server has used so far, and the script calls (FCALL) it ran. */
async function usage(nodes: readonly Redis[]): Promise<{ cpu: number; calls: number }[]> {
  return Promise.all(nodes.map(async (node) => {
    const info = await node.info('all');
    const field = (pattern: string) => Number(new RegExp(pattern, 'm').exec(info)?.[1] ?? 0);
    return { cpu: field('^used_cpu_user:([0-9.]+)') + field('^used_cpu_sys:([0-9.]+)'), calls: field('^cmdstat_fcall:calls=(\\d+)') };
  }));
}

interface Phase {
  jobsPerS: number;
  /** Redis CPU µs per job, one figure per primary. */
  redisUsPerJob: number[];
  /** Script calls (FCALL) per 1,000 jobs, on each primary. */
  callsPerKJobs: number[];
  nodeUsPerJob: number;
}

async function phase(nodes: readonly Redis[], n: number, run: () => Promise<void>): Promise<Phase> {
  const before = await usage(nodes);
  const nodeBefore = process.cpuUsage();
  const started = performance.now();
  await run();
  const seconds = (performance.now() - started) / 1000;
  const node = process.cpuUsage(nodeBefore);
  const after = await usage(nodes);
  return {
    jobsPerS: Math.round(n / seconds),
    redisUsPerJob: after.map(({ cpu }, i) => Math.round(((cpu - before[i]!.cpu) * 1e6) / n * 10) / 10),
    callsPerKJobs: after.map(({ calls }, i) => Math.round(((calls - before[i]!.calls) * 1000) / n)),
    nodeUsPerJob: Math.round((node.user + node.system) / n * 10) / 10,
  };
}

/** Enqueues n jobs in bulk, then processes them with one worker of concurrency c. */
async function measure(config: RedisQueueConfig, nodes: readonly Redis[], prefix: string): Promise<{ enqueue: Phase; process: Phase }> {
  const queue = await RedisQueue.connect('bench', { ...config, prefix, connectTimeout: 10_000 });
  try {
    const enqueue = await phase(nodes, opts.n, async () => {
      for (let sent = 0; sent < opts.n; sent += opts.chunk) {
        await queue.pushBulk(Array.from({ length: Math.min(opts.chunk, opts.n - sent) }, (_, i) => ({ type: 'noop', payload: { i: sent + i } })));
      }
    });
    const worker = new RedisWorker(queue, { numWorkers: opts.c });
    let done = 0;
    let allDone!: () => void;
    const finished = new Promise<void>((resolve) => (allDone = resolve));
    worker.registerHandler('noop', () => {
      if (++done === opts.n) allDone();
      return { success: true };
    });
    const processing = await phase(nodes, opts.n, async () => {
      void worker.start();
      await finished;
      await worker.stop(); // the last outcomes are recorded when it resolves
    });
    return { enqueue, process: processing };
  } finally {
    await queue.close();
  }
}

const row = (label: string, name: string, p: Phase) =>
  `${label.padEnd(28)} ${name.padEnd(8)} ${String(p.jobsPerS).padStart(8)} jobs/s   Redis µs/job per primary: ${p.redisUsPerJob.map((us) => us.toFixed(1)).join(' / ').padEnd(20)}`
  + ` (sum ${p.redisUsPerJob.reduce((a, b) => a + b, 0).toFixed(1)}, busiest-primary ceiling ${Math.round(1e6 / Math.max(...p.redisUsPerJob))} jobs/s)   Node ${p.nodeUsPerJob} µs/job   script calls per 1,000 jobs ${p.callsPerKJobs.join(' / ')}`;

async function main(): Promise<void> {
  const lines: string[] = [];
  const say = (line: string) => {
    console.log(line);
    lines.push(line);
  };
  say(`topology bench: n=${opts.n} c=${opts.c} runs=${opts.runs} chunk=${opts.chunk}; load average at start ${loadavg().map((l) => l.toFixed(2)).join(' ')}`);
  const single = await RedisServer.start();
  const cluster = await startCluster(3, 0);
  const singleAdmin = [new Redis(single.url)];
  const clusterAdmins = cluster.servers.map((server) => new Redis({ host: '127.0.0.1', port: server.port }));
  try {
    for (let run = 1; run <= opts.runs; run++) {
      const one = await measure({ url: single.url }, singleAdmin, `fqt-${run}-single`);
      say(row(`run ${run}: 1 queue, 1 Redis`, 'enqueue', one.enqueue));
      say(row(`run ${run}: 1 queue, 1 Redis`, 'process', one.process));
      // The same cluster with the queue unsharded: what cluster mode itself costs (Redis checks the
      // slot of every key a script touches), apart from the spreading.
      const unsharded = await measure({ cluster: { nodes: cluster.nodes } }, clusterAdmins, `fqt-${run}-unsharded`);
      say(row(`run ${run}: 1 shard, 3 primaries`, 'enqueue', unsharded.enqueue));
      say(row(`run ${run}: 1 shard, 3 primaries`, 'process', unsharded.process));
      // The primaries in cluster.servers order; each shard has one of its own (see shardTags).
      const sharded = await measure({ cluster: { nodes: cluster.nodes }, shards: 3 }, clusterAdmins, `fqt-${run}-sharded`);
      say(row(`run ${run}: 3 shards, 3 primaries`, 'enqueue', sharded.enqueue));
      say(row(`run ${run}: 3 shards, 3 primaries`, 'process', sharded.process));
      console.log(JSON.stringify({ run, single: one, unsharded, sharded }));
    }
    say(`load average at end ${loadavg().map((l) => l.toFixed(2)).join(' ')}`);
    writeFileSync(new URL('./last-topology.txt', import.meta.url), `${lines.join('\n')}\n`);
  } finally {
    for (const admin of [...singleAdmin, ...clusterAdmins]) admin.disconnect();
    await cluster.stop();
    await single.close();
  }
}

await main();
