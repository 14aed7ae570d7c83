// One worker process of scale.mjs's process sweep; started by scale.mjs, not by hand.
// Env: REDIS_URL, BENCH_PREFIX, BENCH_QUEUE, BENCH_NUM_WORKERS.
// Protocol on stdio: prints `ready` once connected; starts its worker on the first line read from
// stdin; on SIGTERM stops the worker gracefully, prints `{"jobs":<handled>,"firstJobAt":<epoch ms>}`
// and exits. When stdin closes (the parent is gone) it stops the same way, silently.
import { createInterface } from 'node:readline';
import { open } from './flexq.mjs';
import { loopbackUrl } from './harness.mjs';

const redisUrl = process.env.REDIS_URL;
loopbackUrl(redisUrl);
const q = await open({
  redisUrl,
  prefix: process.env.BENCH_PREFIX,
  queueName: process.env.BENCH_QUEUE,
  concurrency: Number(process.env.BENCH_NUM_WORKERS),
});

let jobs = 0;
let firstJobAt = 0; // wall clock, comparable across processes
const parent = createInterface({ input: process.stdin });
parent.once('line', () => q.startWorkers(() => {
  if (jobs++ === 0) firstJobAt = Date.now();
}));

let stopping;
const stop = (report) => {
  stopping ??= (async () => {
    await q.close(); // stops the worker first: running jobs finish and their outcomes are stored
    if (report) console.log(JSON.stringify({ jobs, firstJobAt }));
    parent.close();
  })();
};
process.once('SIGTERM', () => stop(true));
parent.once('close', () => stop(false)); // the parent is gone: nobody to report to
console.log('ready');
