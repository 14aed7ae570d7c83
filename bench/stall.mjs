// `npm run bench:stall [-- --n 1000000]`: the stall budget. Fills a private Redis with N waiting
// jobs (over 10 priority levels) and N finished ones, then calls each public operation and reads
// Redis's own timing of every command it ran (SLOWLOG with a 0 µs threshold): the worst per
// operation, against the budget of 5 ms that no call may hold Redis for. Starts its own
// redis-server on a free loopback port and stops it; bounded to 15 minutes.
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { RedisQueue, RedisWorker } from '../dist/index.js';
import { ephemeralPort, redisAnswers } from '../dist/host/redis-probe.js';
import { hardStop, intOption, sleep, until } from './harness.mjs';

hardStop(15);
const N = intOption('n', 1_000_000);
const BUDGET_MS = 5;
const LEVELS = 10;

const port = await ephemeralPort();
const dir = mkdtempSync(join(tmpdir(), 'flexq-stall-'));
const server = spawn('redis-server', ['--bind', '127.0.0.1', '--port', String(port), '--save', '', '--appendonly', 'no', '--dir', dir], { stdio: 'ignore' });
await until('the private redis-server', () => redisAnswers({ host: '127.0.0.1', port }), 10_000, 25);
const url = `redis://127.0.0.1:${port}`;
const admin = new Redis(url);

try {
  const queue = await RedisQueue.connect('stall', { url, prefix: 'st', keepCompleted: { count: 10 * N }, keepFailed: { count: 10 * N } });
  console.log(`filling: ${N} finished jobs, then ${N} waiting jobs over ${LEVELS} priority levels…`);
  const fill = async (count, jobOf) => {
    for (let i = 0; i < count; i += 5_000) await queue.pushBulk(Array.from({ length: Math.min(5_000, count - i) }, (_, j) => jobOf(i + j)));
  };
  await fill(N, () => ({ type: 'done' }));
  const worker = new RedisWorker(queue, { numWorkers: 200 });
  worker.registerHandler('done', () => ({ success: true }));
  void worker.start();
  await until('the finished jobs', async () => (await queue.getStats()).completedJobs === N, 30 * 60_000, 500);
  await worker.stop();
  await fill(N, (i) => ({ type: 'wait', priority: i % LEVELS }));
  const middle = (await queue.listJobs('pending', { offset: 0, limit: 1 }))[0];
  const victims = await queue.pushBulk([{ type: 'wait' }, { type: 'wait' }, { type: 'wait', priority: 3 }]);
  await fill(N / 10, () => ({ type: 'wait', priority: 0 })); // the victims now sit before N/10 jobs of their level
  const [toCancel, toRetry, toMove] = victims;
  await queue.cancelJob(toRetry.id);

  const ops = [
    ['getStats', () => queue.getStats()],
    ['getJob', () => queue.getJob(middle.id)],
    ...['pending', 'completed'].flatMap((status) => [0, N / 2, N - 20].map((offset) => [
      `listJobs ${status} @${offset}`, () => queue.listJobs(status, { offset, limit: 20 }),
    ])),
    ['cancelJob (ready)', () => queue.cancelJob(toCancel.id)],
    ['setPriority (ready)', () => queue.setPriority(toMove.id, 7)],
    ['retryJob', () => queue.retryJob(toRetry.id)],
    ['pushBulk 1,000', () => fill(1_000, () => ({ type: 'wait' }))],
    ['getTotals', () => queue.getTotals()],
    ['getHistory 24 h', () => queue.getHistory({ minutes: 1440 })],
    // Last: it removes the N finished jobs the listings above read (one chunk per call).
    ['clean completed (all N)', () => queue.clean('completed')],
  ];
  await admin.config('SET', 'slowlog-log-slower-than', '0');
  await admin.config('SET', 'slowlog-max-len', '100000');
  const rows = [];
  for (const [name, run] of ops) {
    await admin.slowlog('RESET');
    await run();
    // SLOWLOG entries: [id, time, µs, [command, ...args], …]; the CONFIG/SLOWLOG calls are the admin's.
    const entries = (await admin.slowlog('GET', 100_000)).filter((entry) => !/^(slowlog|config)$/i.test(String(entry[3][0])));
    const worst = entries.reduce((max, entry) => (entry[2] > max.us ? { us: entry[2], command: `${entry[3][0]} ${String(entry[3][1] ?? '').slice(0, 40)}` } : max), { us: 0, command: '' });
    rows.push({ name, ms: worst.us / 1000, command: worst.command });
  }
  console.log(`\nstall budget: no call may hold Redis for more than ${BUDGET_MS} ms (N = ${N} waiting and ${N} finished)`);
  for (const row of rows) {
    console.log(`${row.ms <= BUDGET_MS ? 'ok  ' : 'OVER'} ${row.name.padEnd(30)} ${row.ms.toFixed(2).padStart(10)} ms   ${row.command}`);
  }
  await queue.close();
} finally {
  admin.disconnect();
  server.kill('SIGTERM');
  await sleep(200);
  rmSync(dir, { recursive: true, force: true });
}
