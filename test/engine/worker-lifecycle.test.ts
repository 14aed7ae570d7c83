import { afterEach, beforeEach, describe, expect, test } from 'vitest';
import {
  JobAbortedError, JobDispatcher, RedisWorker, type Job, type RedisQueue, type WorkerConfig, type WorkerInfo,
} from '../../src/index.js';
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { REDIS_URL, freshQueue, waitFor } from '../helpers.js';

let queue: RedisQueue;
let prefix: string;
let dispatcher: JobDispatcher;
let cleanup: () => Promise<void>;
const workers: RedisWorker[] = [];

function worker(config: WorkerConfig = {}): RedisWorker {
  const w = new RedisWorker(queue, { pollTime: 200, ...config });
  workers.push(w);
  return w;
}

/** A promise and its resolver, for handlers that wait for the test. */
function gate(): { promise: Promise<void>; open: () => void } {
  let open!: () => void;
  const promise = new Promise<void>((resolve) => (open = resolve));
  return { promise, open };
}

const statusOf = (job: Job) => queue.getJobStatus(job.id);

/** Heartbeats come every 5 s; four periods leave room for a loaded machine. */
const HEARTBEATS = 20_000;

/** This worker's heartbeat once it says `holds` of itself. */
async function heartbeatOf(w: RedisWorker, what: string, holds: (info: WorkerInfo) => boolean): Promise<WorkerInfo> {
  return waitFor(what, async () => (await queue.getWorkers()).find((info) => info.id === w.id && holds(info)), { timeoutMs: HEARTBEATS, intervalMs: 100 });
}

beforeEach(async () => {
  ({ queue, prefix, cleanup } = await freshQueue('work', { retryDelays: [50, 100] }));
  dispatcher = new JobDispatcher(queue);
});
afterEach(async () => {
  await Promise.all(workers.splice(0).map((w) => w.stop({ timeout: 2000 })));
  await dispatcher.close();
  await cleanup();
});

describe('leases', () => {
  test('a long job keeps its lease and runs once', async () => {
    // The job outlasts its 1.5 s lease nearly three times: only renewals (every 500 ms) keep it.
    const w = worker({ visibilityTimeout: 1_500 });
    let runs = 0;
    w.registerHandler('long', async () => {
      runs++;
      await new Promise((resolve) => setTimeout(resolve, 4_000));
      return { success: true };
    });
    const other = worker({ visibilityTimeout: 1_500 });
    other.registerHandler('long', () => {
      runs++;
      return { success: true };
    });
    void w.start();
    const job = await dispatcher.dispatch('long', {});
    await waitFor('running', async () => (await statusOf(job)) === 'processing');
    void other.start();
    await waitFor('completed', async () => (await statusOf(job)) === 'completed');
    expect(runs).toBe(1);
    expect((await queue.getJob(job.id))!.attempts).toBe(1);
  });

  test("a stale worker's late outcome is ignored after its job was recovered", async () => {
    const child = spawn(process.execPath, [
      fileURLToPath(new URL('../fixtures/stale-worker.mjs', import.meta.url)), REDIS_URL, prefix, queue.name, '200', '1500',
    ], { stdio: ['pipe', 'pipe', 'inherit'] });
    try {
      const claimed = new Promise((resolve) => child.stdout.on('data', resolve));
      const job = await dispatcher.dispatch('stall', {});
      await claimed;
      const rescuer = worker({ visibilityTimeout: 5_000 });
      rescuer.registerHandler('stall', () => ({ success: true, data: 'rescued' }));
      void rescuer.start();
      await waitFor('the rescue', async () => (await statusOf(job)) === 'completed');
      child.stdin.end();
      await new Promise((resolve) => child.on('exit', resolve));
      expect(await queue.getJob(job.id)).toMatchObject({ status: 'completed', attempts: 2, result: 'rescued' });
    } finally {
      child.kill('SIGKILL');
    }
  });
});

describe('stopping', () => {
  test('stop waits for in-flight jobs and their outcomes are stored when it resolves', async () => {
    const w = worker({ numWorkers: 2 });
    const started = gate();
    w.registerHandler('slow', async () => {
      started.open();
      await new Promise((resolve) => setTimeout(resolve, 150));
      return { success: true, data: 'done' };
    });
    const finished = w.start();
    const job = await dispatcher.dispatch('slow', {});
    await started.promise;
    await w.stop();
    expect(w.isRunning()).toBe(false);
    expect(await statusOf(job)).toBe('completed');
    await finished;
    await w.stop();
  });

  test('a stopped worker claims nothing more', async () => {
    const w = worker();
    w.registerHandler('t', () => ({ success: true }));
    void w.start();
    const before = await dispatcher.dispatch('t', {});
    await waitFor('the first job done', async () => (await statusOf(before)) === 'completed');
    await w.stop();
    const job = await dispatcher.dispatch('t', {});
    // A running worker would have claimed it by the time a worker of this process, on a queue of
    // the same connection, has run the jobs dispatched after it.
    const other = queue.queue(`${queue.name}-other`);
    const witness = new RedisWorker(other, { pollTime: 200 });
    workers.push(witness);
    witness.registerHandler('t', () => ({ success: true }));
    void witness.start();
    const later = await Promise.all([1, 2, 3].map(() => other.push({ type: 't' })));
    await waitFor('the other queue worked', async () => (await other.getStats()).completedJobs === later.length);
    expect(await statusOf(job)).toBe('pending');
    expect((await queue.getWorkers()).map((info) => info.id)).not.toContain(w.id);
    await witness.stop();
    await other.close();
  });

  test('stop with a timeout aborts what is still running and hands it back to the queue', async () => {
    const w = worker();
    const started = gate();
    let reason: unknown;
    w.registerHandler('forever', async (ctx) => {
      started.open();
      await new Promise((resolve) => ctx.signal.addEventListener('abort', resolve));
      reason = ctx.signal.reason;
      return { success: false, error: 'aborted' };
    });
    void w.start();
    const job = await dispatcher.dispatch('forever', {});
    await started.promise;
    await w.stop({ timeout: 100 });
    expect((reason as JobAbortedError).kind).toBe('shutdown');
    expect(await queue.getJob(job.id)).toMatchObject({ status: 'pending', attempts: 0 });
  });

  test('start(signal) stops gracefully when the signal aborts', async () => {
    const w = worker();
    const controller = new AbortController();
    const finished = w.start(controller.signal);
    controller.abort();
    await finished;
    expect(w.isRunning()).toBe(false);
  });
});

describe('retention and pause', () => {
  test('completed jobs beyond the kept count are removed', async () => {
    await cleanup();
    ({ queue, cleanup } = await freshQueue('keep', { keepCompleted: { count: 2 } }));
    dispatcher = new JobDispatcher(queue);
    const w = worker({ numWorkers: 1 });
    w.registerHandler('t', () => ({ success: true }));
    void w.start();
    const jobs: Job[] = [];
    for (let i = 0; i < 5; i++) jobs.push(await dispatcher.dispatch('t', { i }));
    await waitFor('all processed', async () => (await statusOf(jobs[4]!)) === 'completed');
    await waitFor('trimmed', async () => (await queue.getStats()).completedJobs === 2);
    expect(await queue.getJob(jobs[0]!.id)).toBeNull();
  });

  test('a paused queue is not worked until resumed, though its worker keeps claiming', async () => {
    const w = worker();
    w.registerHandler('t', () => ({ success: true }));
    await queue.pause();
    void w.start();
    const job = await dispatcher.dispatch('t', {});
    const dispatchedAt = Date.now();
    // The worker claimed after the dispatch (woken by the push, or by its periodic claim every
    // 10 x pollTime), and found nothing.
    await heartbeatOf(w, 'a claim after the dispatch', (info) => info.lastFetchAt.getTime() >= dispatchedAt);
    expect(await statusOf(job)).toBe('pending');
    expect(await queue.isPaused()).toBe(true);
    await queue.resume();
    await waitFor('completed', async () => (await statusOf(job)) === 'completed');
  });

  test('getWorkers shows a running worker with its load, busy slots included, and drops it on stop', async () => {
    const w = worker({ numWorkers: 3 });
    const release = gate();
    w.registerHandler('hold', () => release.promise.then(() => ({ success: true })));
    w.registerHandler('other', () => ({ success: true }));
    const startedAt = Date.now();
    void w.start();
    const idle = await heartbeatOf(w, 'a first heartbeat', () => true);
    expect(idle).toMatchObject({ queue: 'work', pid: process.pid, concurrency: 3, busy: 0, healthy: true });
    expect([...idle.types].sort()).toEqual(['hold', 'other']);
    expect(idle.startedAt.getTime()).toBeGreaterThanOrEqual(startedAt);
    await queue.pushBulk([{ type: 'hold' }, { type: 'hold' }]);
    await waitFor('two slots busy', () => w.activeJobs === 2);
    const busy = await heartbeatOf(w, 'a heartbeat with 2 of 3 slots busy', (info) => info.busy === 2);
    expect(busy).toMatchObject({ concurrency: 3, healthy: true });
    expect(busy.lastSeenAt.getTime()).toBeGreaterThan(idle.lastSeenAt.getTime());
    expect(busy.lastFetchAt.getTime()).toBeGreaterThanOrEqual(startedAt);
    release.open();
    await waitFor('both done', async () => (await queue.getStats()).completedJobs === 2);
    await w.stop();
    expect(await queue.getWorkers()).toEqual([]);
  });

  test('the event feed records each state change', async () => {
    const w = worker();
    w.registerHandler('t', () => ({ success: true }));
    void w.start();
    const job = await dispatcher.dispatch('t', {});
    await waitFor('completed', async () => (await statusOf(job)) === 'completed');
    const events = (await queue.readEvents()).filter((e) => e.jobIds.includes(job.id)).map((e) => e.event);
    expect(events).toEqual(['added', 'processing', 'completed']);
  });
});
