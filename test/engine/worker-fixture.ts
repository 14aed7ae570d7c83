/**
 * What the worker tests share: a fresh queue per test (retry delays of 50 and 100 ms), a dispatcher,
 * workers made through `worker()` and stopped after the test, and a gate for handlers to wait on.
 */
import { afterEach, beforeEach } from 'vitest';
import { JobDispatcher, RedisWorker, type Job, type JobStatus, type RedisQueue, type WorkerConfig } from '../../src/index.js';
import { freshQueue } from '../helpers.js';

export interface WorkerFixture {
  queue: RedisQueue;
  prefix: string;
  dispatcher: JobDispatcher;
  /** A worker of the queue (pollTime 200 ms unless `config` says otherwise), stopped after the test. */
  worker(config?: WorkerConfig): RedisWorker;
  statusOf(job: Job): Promise<JobStatus | null>;
  /** Stops `worker` (of any queue) after the test too. */
  track(worker: RedisWorker): RedisWorker;
  /** Replaces the queue for the rest of the test (other name or settings); the old one is cleaned up now. */
  reopen(name: string, config: Parameters<typeof freshQueue>[1]): Promise<void>;
}

export function useWorkerFixture(): WorkerFixture {
  const workers: RedisWorker[] = [];
  let cleanup: () => Promise<void>;
  const fixture = {
    worker: (config: WorkerConfig = {}) => {
      const w = new RedisWorker(fixture.queue, { pollTime: 200, ...config });
      workers.push(w);
      return w;
    },
    statusOf: (job: Job) => fixture.queue.getJobStatus(job.id),
    track: (w: RedisWorker) => {
      workers.push(w);
      return w;
    },
    reopen: async (name: string, config: Parameters<typeof freshQueue>[1]) => {
      await fixture.dispatcher.close();
      await cleanup();
      ({ queue: fixture.queue, prefix: fixture.prefix, cleanup } = await freshQueue(name, config));
      fixture.dispatcher = new JobDispatcher(fixture.queue);
    },
  } as WorkerFixture;
  beforeEach(async () => {
    ({ queue: fixture.queue, prefix: fixture.prefix, cleanup } = await freshQueue('work', { retryDelays: [50, 100] }));
    fixture.dispatcher = new JobDispatcher(fixture.queue);
  });
  afterEach(async () => {
    await Promise.all(workers.splice(0).map((w) => w.stop({ timeout: 2000 })));
    await fixture.dispatcher.close();
    await cleanup();
  });
  return fixture;
}

/** A promise and its resolver, for handlers that wait for the test; `settled` says whether it opened. */
export function gate(): { promise: Promise<void>; open: () => void; settled: () => boolean } {
  let open!: () => void;
  let done = false;
  const promise = new Promise<void>((resolve) => (open = () => {
    done = true;
    resolve();
  }));
  return { promise, open, settled: () => done };
}
