// BullMQ adapter, same interface as flexq.mjs. Only documented options, chosen for speed:
// jobs are removed on completion (removeOnComplete: true; failed ones kept, up to 1,000),
// a single Worker with `concurrency`, `autorun: false` then run(), Queue.addBulk for bulk enqueue.
// The stalled-job check stays on (flexq keeps its lease recovery too), so the guarantees compare.
import { Queue, Worker } from 'bullmq';

export const name = 'bullmq';
// No memory scenario: the benchmark's BullMQ removes completed jobs (removeOnComplete).
export const scenarios = ['enqueue', 'process', 'e2e', 'latency', 'delayed', 'idle'];

function connectionOf(redisUrl) {
  const url = new URL(redisUrl);
  const connection = { host: url.hostname || '127.0.0.1', port: Number(url.port || 6379), maxRetriesPerRequest: null };
  if (url.password) connection.password = decodeURIComponent(url.password);
  if (url.username) connection.username = decodeURIComponent(url.username);
  const db = url.pathname.replace(/^\//, '');
  if (db) connection.db = Number(db);
  return connection;
}

const JOB_OPTIONS = { removeOnComplete: true, removeOnFail: 1000 };

export async function open({ redisUrl, prefix, queueName, concurrency }) {
  const connection = connectionOf(redisUrl);
  const queue = new Queue(queueName, { connection, prefix, defaultJobOptions: JOB_OPTIONS });
  await queue.waitUntilReady();
  let worker;
  let running;
  let onJob = () => {};

  return {
    name,
    async enqueueBulk(count, chunk, payloadOf = () => ({})) {
      for (let i = 0; i < count; i += chunk) {
        const jobs = [];
        for (let j = i; j < Math.min(count, i + chunk); j++) jobs.push({ name: 'noop', data: payloadOf(j) });
        await queue.addBulk(jobs);
      }
    },
    dispatch(payload) {
      return queue.add('noop', payload);
    },
    dispatchDelayed(payload, delayMs) {
      return queue.add('noop', payload, { delay: delayMs });
    },
    async startWorkers(handler = () => {}) {
      onJob = handler;
      worker = new Worker(queueName, async (job) => {
        onJob(job.data);
      }, { connection, prefix, concurrency, autorun: false });
      worker.on('error', () => {});
      running = worker.run();
      await worker.waitUntilReady();
    },
    async stopWorkers() {
      if (!worker) return;
      await worker.close();
      await running;
      worker = undefined;
    },
    async unfinished() {
      const c = await queue.getJobCounts('wait', 'active', 'delayed', 'prioritized', 'waiting-children', 'paused');
      return Object.values(c).reduce((a, b) => a + b, 0);
    },
    async close() {
      await this.stopWorkers();
      await queue.close();
    },
  };
}
