// flexq adapter: the benchmark drives both systems through this same small interface.
import { RedisQueue, RedisWorker, JobDispatcher } from '../dist/index.js';

export const name = 'flexq';

/**
 * Opens one queue `queueName` under `prefix`. Workers run in this process with `concurrency`
 * handlers (flexq: one RedisWorker with numWorkers = concurrency, default pollTime). `keepCompleted`
 * raises the completed jobs kept (the memory scenario keeps them all).
 */
export async function open({ redisUrl, prefix, queueName, concurrency, keepCompleted }) {
  const retention = keepCompleted ? { keepCompleted: { count: keepCompleted, age: 24 * 3_600_000 } } : {};
  const queue = await RedisQueue.connect(queueName, { url: redisUrl, prefix, ...retention });
  const dispatcher = new JobDispatcher(queue);
  let worker;
  let workerDone;
  let onJob = () => {};

  return {
    name,
    /** Enqueues `count` no-op jobs in bulk calls of `chunk` (each `pushBulk` call is atomic). */
    async enqueueBulk(count, chunk, payloadOf = () => ({})) {
      for (let i = 0; i < count; i += chunk) {
        const jobs = [];
        for (let j = i; j < Math.min(count, i + chunk); j++) jobs.push({ type: 'noop', payload: payloadOf(j) });
        await queue.pushBulk(jobs);
      }
    },
    /** One job, now; `options` are flexq's JobOptions (e.g. `{ priority: 1 }`). */
    dispatch(payload, options) {
      return dispatcher.dispatch('noop', payload, options);
    },
    /** One job that is due after `delayMs`. */
    dispatchDelayed(payload, delayMs) {
      return dispatcher.dispatchDelayed('noop', payload, delayMs);
    },
    /** Starts the workers; `handler(payload)` runs at the start of each job (no-op otherwise). */
    async startWorkers(handler = () => {}) {
      onJob = handler;
      worker = new RedisWorker(queue, { numWorkers: concurrency });
      worker.registerHandler('noop', (_ctx, job) => {
        onJob(job.payload);
        return { success: true };
      });
      workerDone = worker.start();
    },
    async stopWorkers() {
      if (!worker) return;
      await worker.stop();
      await workerDone;
      worker = undefined;
    },
    /** Jobs not finished yet (waiting or running). */
    async unfinished() {
      const s = await queue.getStats();
      return s.pendingJobs + s.delayedJobs + s.retryingJobs + s.processingJobs;
    },
    /** Job counts by state (`RedisQueue.getStats`). */
    stats() {
      return queue.getStats();
    },
    async close() {
      await this.stopWorkers();
      await dispatcher.close();
      await queue.close();
    },
  };
}
