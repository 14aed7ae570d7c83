/**
 * Whatever a handler returns, nothing malformed reaches Redis: a bad `retryAfter` or `error` is
 * checked in Node, and one bad outcome cannot take the rest of its finish-and-claim batch down.
 */
import { afterEach, beforeEach, describe, expect, test } from 'vitest';
import { RedisWorker, type JobResult, type RedisQueue } from '../../src/index.js';
import { freshQueue, rawClient, waitFor } from '../helpers.js';

let queue: RedisQueue;
let prefix: string;
let cleanup: () => Promise<void>;
let worker: RedisWorker | undefined;
const raw = rawClient();

beforeEach(async () => {
  ({ queue, prefix, cleanup } = await freshQueue('results', { retryDelays: [20] }));
});
afterEach(async () => {
  await worker?.stop({ timeout: 2_000 });
  await cleanup();
});

describe('handler results', () => {
  for (const retryAfter of [Number.NaN, '30s', -5, Number.POSITIVE_INFINITY, 1e20]) {
    test(`retryAfter ${String(retryAfter)} is ignored with a note, and the jobs finished beside it are recorded`, async () => {
      const jobs = await queue.pushBulk([
        { type: 'bad', maxAttempts: 2 }, { type: 'ok' }, { type: 'ok' }, { type: 'ok' },
      ]);
      worker = new RedisWorker(queue, { numWorkers: 4, pollTime: 100 });
      worker.registerHandler('ok', () => ({ success: true }));
      worker.registerHandler('bad', (_ctx, job) => job.attempts === 1
        ? ({ success: false, error: 'try later', retryAfter } as unknown as JobResult)
        : { success: true });
      void worker.start();
      await waitFor('every job to complete', async () => (await queue.getStats()).completedJobs === 4);
      expect(await raw.llen(`${prefix}:{results}:completed`)).toBe(4);
      const bad = (await queue.getJob(jobs[0]!.id))!;
      expect(bad.attempts).toBe(2);
      expect(bad.history![0]!.error).toMatch(/^try later \(retryAfter ignored: must be a number of ms from 0 to \d+, got /);
    });
  }

  test('a failure or a throw with an empty message fails its job, beside completions of the same batch', async () => {
    const jobs = await queue.pushBulk([
      { type: 'empty-error', maxAttempts: 1 }, { type: 'ok' }, { type: 'empty-throw', maxAttempts: 1 }, { type: 'ok' },
    ]);
    worker = new RedisWorker(queue, { numWorkers: 4, pollTime: 100 });
    worker.registerHandler('ok', () => ({ success: true }));
    worker.registerHandler('empty-error', () => ({ success: false, error: '' }));
    worker.registerHandler('empty-throw', () => {
      throw new Error('');
    });
    void worker.start();
    await waitFor('all four finished', async () => {
      const stats = await queue.getStats();
      return stats.completedJobs + stats.failedJobs === 4;
    });
    const statuses = await Promise.all(jobs.map(async (job) => (await queue.getJob(job.id))!.status));
    expect(statuses).toEqual(['failed', 'completed', 'failed', 'completed']);
  });

  test('random JobResults never strand a job: each ends completed or failed, counted once', async () => {
    const values: unknown[] = [undefined, null, 0, 25, -1, Number.NaN, Number.POSITIVE_INFINITY, '30s', 1e20, {}, [], true, 'x', 10n];
    const pick = <T>(list: readonly T[]): T => list[Math.floor(Math.random() * list.length)]!;
    const total = 200;
    await queue.pushBulk(Array.from({ length: total }, () => ({ type: 'fuzz', maxAttempts: 2 })));
    worker = new RedisWorker(queue, { numWorkers: 20, pollTime: 100 });
    worker.registerHandler('fuzz', () => {
      const shape = Math.random();
      if (shape < 0.05) throw new Error('thrown');
      if (shape < 0.1) return pick(values) as JobResult;
      return { success: Math.random() < 0.5, data: pick(values), error: pick(values), retry: pick(values), retryAfter: pick(values) } as JobResult;
    });
    void worker.start();
    await waitFor('every job to finish', async () => {
      const stats = await queue.getStats();
      return stats.completedJobs + stats.failedJobs === total;
    }, { timeoutMs: 20_000 });
    const stats = await queue.getStats();
    expect(stats).toMatchObject({ pendingJobs: 0, delayedJobs: 0, processingJobs: 0, retryingJobs: 0 });
    const finished = await raw.llen(`${prefix}:{results}:completed`) + await raw.llen(`${prefix}:{results}:failed`);
    expect(finished).toBe(total);
  });
});
