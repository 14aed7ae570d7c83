// A worker process for the chaos scenarios. It runs jobs of type "work" and writes a ledger line
// per start and per completion to LEDGER (appends of one short line are atomic), outside Redis.
// Env: REDIS_URL, PREFIX, QUEUE, CONCURRENCY, VISIBILITY_MS, JOB_MS, LEDGER, BLOCK_MS (a handler
// that blocks the event loop that long), GRACE_MS (stop timeout on SIGTERM).
import { appendFileSync } from 'node:fs';
import { RedisQueue, RedisWorker } from '../dist/index.js';

const env = (name, fallback) => process.env[name] ?? fallback;
const queue = await RedisQueue.connect(env('QUEUE', 'chaos'), {
  url: env('REDIS_URL'), prefix: env('PREFIX'), keepCompleted: { count: 1_000_000 }, retryDelays: [50],
});
const worker = new RedisWorker(queue, {
  numWorkers: Number(env('CONCURRENCY', '8')), visibilityTimeout: Number(env('VISIBILITY_MS', '2000')), pollTime: 200,
});
const ledger = env('LEDGER');
const note = (what, job) => appendFileSync(ledger, `${what} ${job.id} ${process.pid} ${Date.now()}\n`);
const jobMs = Number(env('JOB_MS', '5'));
const blockMs = Number(env('BLOCK_MS', '0'));

worker.registerHandler('work', async (ctx, job) => {
  note('start', job);
  if (blockMs > 0) {
    const until = Date.now() + blockMs;
    while (Date.now() < until) { /* the event loop is blocked: no lease renewal runs */ }
  } else {
    await new Promise((resolve) => setTimeout(resolve, job.payload.ms ?? jobMs));
  }
  note('done', job);
  return { success: true, data: { pid: process.pid } };
});
process.once('SIGTERM', () => {
  void worker.stop({ timeout: Number(env('GRACE_MS', '1000')) }).then(() => queue.close()).then(() => process.exit(0));
});
void worker.start();
process.stdout.write('READY\n');
