import { afterEach, beforeEach, describe, expect, test } from 'vitest';
import { JobAbortedError, RedisQueue, RedisWorker, type Job, type WorkerConfig } from '../../src/index.js';
import { startFaultProxy, type FaultProxy } from '../fault-proxy.js';
import { REDIS_URL, deletePrefix, uniquePrefix, waitFor } from '../helpers.js';

let prefix: string;
const queues: RedisQueue[] = [];
const workers: RedisWorker[] = [];
let proxy: FaultProxy | undefined;

async function connect(config: Parameters<typeof RedisQueue.connect>[1] = {}): Promise<RedisQueue> {
  const queue = await RedisQueue.connect('retries', { url: REDIS_URL, prefix, ...config });
  queues.push(queue);
  return queue;
}

function worker(queue: RedisQueue, config: WorkerConfig = {}): RedisWorker {
  const w = new RedisWorker(queue, { pollTime: 200, ...config });
  workers.push(w);
  return w;
}

/** Start times of each run of each job, by job id. */
function runLog(): { starts: Map<string, number[]>; record: (job: Job) => number } {
  const starts = new Map<string, number[]>();
  return {
    starts,
    record: (job) => {
      const list = starts.get(job.id) ?? [];
      list.push(Date.now());
      starts.set(job.id, list);
      return list.length;
    },
  };
}

const gaps = (times: number[]) => times.slice(1).map((time, i) => time - times[i]!);

beforeEach(() => {
  prefix = uniquePrefix('retries');
});
afterEach(async () => {
  await Promise.all(workers.splice(0).map((w) => w.stop({ timeout: 2_000 })));
  await Promise.all(queues.splice(0).map((q) => q.close()));
  await proxy?.close();
  proxy = undefined;
  await deletePrefix(prefix);
});

describe('retry delays', () => {
  test("a handler's retryAfter longer than the planned delay is waited out; a shorter one leaves the planned delay", async () => {
    const queue = await connect({ retryDelays: [1_200] });
    const log = runLog();
    const w = worker(queue);
    w.registerHandler('later', (_ctx, job) => (log.record(job) === 1 ? { success: false, error: 'busy', retryAfter: 2_000 } : { success: true }));
    w.registerHandler('sooner', (_ctx, job) => (log.record(job) === 1 ? { success: false, error: 'busy', retryAfter: 10 } : { success: true }));
    void w.start();
    const later = await queue.push({ type: 'later' });
    const sooner = await queue.push({ type: 'sooner' });
    for (const job of [later, sooner]) {
      await waitFor(`${job.type} completed`, async () => (await queue.getJobStatus(job.id)) === 'completed', { timeoutMs: 15_000 });
    }
    // The retry is due retryDelay after the outcome is recorded, which is after the first run started.
    expect(gaps(log.starts.get(later.id)!)[0]).toBeGreaterThanOrEqual(2_000);
    expect(gaps(log.starts.get(sooner.id)!)[0]).toBeGreaterThanOrEqual(1_200);
  });

  test('the last retry delay repeats for every later retry', async () => {
    const queue = await connect({ retryDelays: [50, 600] });
    const log = runLog();
    const w = worker(queue);
    w.registerHandler('flaky', (_ctx, job) => ({ success: false, error: `run ${log.record(job)}` }));
    void w.start();
    const job = await queue.push({ type: 'flaky', maxAttempts: 4 });
    await waitFor('failed for good', async () => (await queue.getJobStatus(job.id)) === 'failed', { timeoutMs: 15_000 });
    const [first, second, third] = gaps(log.starts.get(job.id)!);
    expect(log.starts.get(job.id)).toHaveLength(4);
    expect(first).toBeGreaterThanOrEqual(50);
    expect(second).toBeGreaterThanOrEqual(600);
    expect(third).toBeGreaterThanOrEqual(600);
    expect((await queue.getJob(job.id))!.history!.map((h) => h.outcome)).toEqual(['retrying', 'retrying', 'retrying', 'failed']);
  });
});

describe('abort kinds', () => {
  test("a job over its timeout aborts ctx.signal with kind 'timeout'", async () => {
    const queue = await connect();
    const w = worker(queue);
    let reason: unknown;
    w.registerHandler('hangs', async (ctx) => {
      await new Promise((resolve) => ctx.signal.addEventListener('abort', resolve));
      reason = ctx.signal.reason;
      return { success: true };
    });
    void w.start();
    const job = await queue.push({ type: 'hangs', timeout: 150, maxAttempts: 1 });
    await waitFor('failed', async () => (await queue.getJobStatus(job.id)) === 'failed');
    expect(reason).toBeInstanceOf(JobAbortedError);
    expect((reason as JobAbortedError).kind).toBe('timeout');
    expect((await queue.getJob(job.id))!.error).toBe('job timed out after 150 ms');
  });

  test("a lost lease aborts ctx.signal with kind 'lease-lost', and the lost run records nothing", async () => {
    // The worker reaches Redis through a proxy that the test stalls: its renewals stop, the lease
    // runs out, and another client takes the job back; then the renewal goes through and learns it.
    proxy = await startFaultProxy({ host: '127.0.0.1', port: new URL(REDIS_URL).port === '' ? 6379 : Number(new URL(REDIS_URL).port) });
    const viaProxy = await connect({ url: proxy.url });
    const direct = await connect();
    const w = worker(viaProxy, { visibilityTimeout: 1_000 });
    const started: Job[] = [];
    let reason: unknown;
    w.registerHandler('long', async (ctx, job) => {
      started.push(job);
      await new Promise((resolve) => ctx.signal.addEventListener('abort', resolve));
      reason = ctx.signal.reason;
      return { success: true, data: 'too late' };
    });
    void w.start();
    const job = await direct.push({ type: 'long' });
    await waitFor('the handler to start', () => started.length === 1);
    proxy.hold();
    const rescued = await waitFor('the expired lease taken back by another client', () => direct.pop(), { intervalMs: 50 });
    expect(rescued).toMatchObject({ id: job.id, attempts: 2 });
    expect(reason).toBeUndefined();
    proxy.release();
    await waitFor('the handler to see the abort', () => reason !== undefined);
    expect(reason).toBeInstanceOf(JobAbortedError);
    expect((reason as JobAbortedError).kind).toBe('lease-lost');
    expect((reason as JobAbortedError).message).toBe('lease lost: the job is processing now');
    await waitFor('the slot to free', () => w.activeJobs === 0);
    await w.stop();
    expect(await direct.getJob(job.id)).toMatchObject({ status: 'processing', attempts: 2 });
    expect((await direct.getJob(job.id))!.result).toBeUndefined();
  });
});
