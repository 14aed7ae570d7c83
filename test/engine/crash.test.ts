/**
 * A worker process that dies mid-job (SIGKILL: no cleanup, no release) must not lose the job: once
 * its lease runs out another worker runs it again, counting the attempt; on the last attempt the
 * job fails for good saying its worker was lost.
 */
import { fileURLToPath } from 'node:url';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { RedisQueue, RedisWorker, type Job } from '../../src/index.js';
import { REDIS_URL, deletePrefix, uniquePrefix, waitFor } from '../helpers.js';
import { requireBuild, startChild, type Child } from './processes.js';

const CRASH_WORKER = fileURLToPath(new URL('../fixtures/crash-worker.mjs', import.meta.url));
const VISIBILITY_MS = 1_000;

describe('a worker process killed mid-job', () => {
  let prefix: string;
  let queue: RedisQueue;
  let child: Child | undefined;
  let worker: RedisWorker | undefined;

  beforeAll(() => requireBuild());

  afterEach(async () => {
    await child?.stop('SIGKILL');
    await worker?.stop();
    await queue?.close();
    await deletePrefix(prefix);
    child = undefined;
    worker = undefined;
  });

  /** Pushes a slow job, lets a child worker start it, and SIGKILLs the child mid-run. */
  async function killedMidJob(maxAttempts: number): Promise<Job> {
    prefix = uniquePrefix('crash');
    queue = await RedisQueue.connect('crash', { url: REDIS_URL, prefix });
    const job = await queue.push({ type: 'slow', payload: { n: 1 }, maxAttempts });
    child = startChild(process.execPath, [CRASH_WORKER], {
      REDIS_URL, FLEXQ_PREFIX: prefix, FLEXQ_QUEUE: 'crash', FLEXQ_VISIBILITY_MS: String(VISIBILITY_MS),
    });
    expect(await child.line(/^RUNNING /)).toBe(`RUNNING ${job.id} 1`);
    await child.stop('SIGKILL');
    expect(await child.exited).toEqual({ code: null, signal: 'SIGKILL' });
    // Its job is still held under the dead worker's lease.
    expect(await queue.getJobStatus(job.id)).toBe('processing');
    return job;
  }

  it('is run again by another worker once the lease runs out, with the attempt counted', async () => {
    const job = await killedMidJob(3);
    const runs: number[] = [];
    worker = new RedisWorker(queue, { visibilityTimeout: VISIBILITY_MS, pollTime: 200 });
    worker.registerHandler('slow', (_ctx, running) => {
      runs.push(running.attempts);
      return { success: true, data: { recoveredFrom: 'crash' } };
    });
    void worker.start();
    const done = await waitFor('the job to complete in the parent worker', async () => {
      const stored = await queue.getJob(job.id);
      return stored?.status === 'completed' ? stored : null;
    });
    expect(runs).toEqual([2]);
    expect(done.attempts).toBe(2);
    expect(done.result).toEqual({ recoveredFrom: 'crash' });
    expect(done.processedAt).toBeInstanceOf(Date);
  });

  it('fails for good saying the worker was lost when that was its last attempt', async () => {
    const job = await killedMidJob(1);
    let ran = false;
    worker = new RedisWorker(queue, { visibilityTimeout: VISIBILITY_MS, pollTime: 200 });
    worker.registerHandler('slow', () => {
      ran = true;
      return { success: true };
    });
    void worker.start();
    const failed = await waitFor('the job to fail for good', async () => {
      const stored = await queue.getJob(job.id);
      return stored?.status === 'failed' ? stored : null;
    });
    expect(ran).toBe(false);
    expect(failed.attempts).toBe(1);
    expect(failed.error).toMatch(/worker lost/i);
    expect(failed.failedAt).toBeInstanceOf(Date);
    expect(failed.history).toEqual([expect.objectContaining({ attempt: 1, outcome: 'failed', error: failed.error })]);
    expect(await queue.getStats()).toMatchObject({ failedJobs: 1, processingJobs: 0, pendingJobs: 0 });
  });
});
