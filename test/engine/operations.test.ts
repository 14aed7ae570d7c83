/** The operators' API through RedisQueue: bulk retry and clean-up in chunks, removeJob, totals, history, the queue registry. */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { InvalidJobStateError, JobNotFoundError, RedisWorker, ValidationError, type BulkProgress, type RedisQueue } from '../../src/index.js';
import { freshQueue, waitFor } from '../helpers.js';

let queue: RedisQueue;
let cleanup: () => Promise<void>;

beforeEach(async () => {
  ({ queue, cleanup } = await freshQueue('ops', { keepFailed: { count: 5 } }));
});
afterEach(() => cleanup());

/** Runs `n` jobs of `type` through a worker whose handler fails those whose payload says so. */
async function runJobs(n: number, type: string, fail: boolean): Promise<void> {
  const before = await queue.getTotals();
  const worker = new RedisWorker(queue, { numWorkers: 10, pollTime: 50 });
  worker.registerHandler(type, () => ({ success: !fail, error: 'nope', retry: false }));
  await queue.pushBulk(Array.from({ length: n }, () => ({ type, payload: {} })));
  void worker.start();
  await waitFor(`${n} ${type} jobs to finish`, async () => {
    const totals = await queue.getTotals();
    return totals.completed + totals.failed - before.completed - before.failed === n;
  });
  await worker.stop();
}

describe('retryJobs', () => {
  it('retries every failed job of a type in chunks, reporting progress, and leaves other types', async () => {
    await queue.clean('failed'); // nothing there yet: resolves to 0
    await runJobs(4, 'a', true);
    await runJobs(1, 'b', true);
    const progress: BulkProgress[] = [];
    expect(await queue.retryJobs('failed', { type: 'a', chunkSize: 2, onProgress: (p) => progress.push(p) })).toBe(4);
    expect(progress.length).toBeGreaterThan(2);
    expect(progress.at(-1)).toMatchObject({ done: 4, total: 5 });
    expect((await queue.listJobs('failed')).map((job) => job.type)).toEqual(['b']);
    const pending = await queue.listJobs('pending');
    expect(pending.map((job) => [job.type, job.attempts])).toEqual(Array(4).fill(['a', 0]));
  });

  it('refuses a status it cannot retry and a bad type, naming them', async () => {
    await expect(queue.retryJobs('completed' as 'failed')).rejects.toThrow(ValidationError);
    await expect(queue.retryJobs('completed' as 'failed')).rejects.toThrow(/status must be failed or cancelled, got "completed"/);
    await expect(queue.retryJobs('failed', { type: '' })).rejects.toThrow(/type must be/);
    await expect(queue.retryJobs('failed', { chunkSize: 0 })).rejects.toThrow(/chunkSize must be an integer from 1 to 10000/);
    const refused = async (action: Promise<unknown>) => action.then(() => null, (err: ValidationError) => [err.operation, err.message]);
    expect(await refused(queue.retryJobs('failed', { chunkSize: 10_001 }))).toEqual(['retryJobs', 'retryJobs: chunkSize must be an integer from 1 to 10000, got 10001']);
    expect(await refused(queue.retryJobs('failed', { chunkSize: 1.5 }))).toEqual(['retryJobs', 'retryJobs: chunkSize must be an integer from 1 to 10000, got 1.5']);
    expect(await refused(queue.retryJobs('failed', { type: 't'.repeat(201) }))).toEqual(
      ['retryJobs', `retryJobs: type must be a non-empty string of at most 200 characters, got "${'t'.repeat(201)}"`],
    );
    expect(await refused(queue.retryJobs('failed', { type: 7 as unknown as string }))).toEqual(['retryJobs', 'retryJobs: type must be a non-empty string of at most 200 characters, got 7']);
    expect(await refused(queue.retryJobs('failed', { onProgress: 'log' as never }))).toEqual(['retryJobs', 'retryJobs: onProgress must be a function']);
    expect(await refused(queue.clean('completed', { onProgress: 1 as never }))).toEqual(['clean', 'clean: onProgress must be a function']);
    expect(await refused(queue.clean('completed', { limit: 2.5 }))).toEqual(['clean', 'clean: limit must be an integer from 1 to 9007199254740991, got 2.5']);
    expect(await refused(queue.getHistory({ minutes: 0 }))).toEqual(['getHistory', 'getHistory: minutes must be an integer from 1 to 1440, got 0']);
    // The edges are taken.
    expect(await queue.retryJobs('failed', { chunkSize: 10_000, type: 't'.repeat(200) })).toBe(0);
    expect(await queue.getHistory({ minutes: 1_440 })).toHaveLength(1_440);
  });
});

describe('clean and removeJob', () => {
  it('clean removes finished jobs of a status up to a limit, in chunks', async () => {
    await runJobs(5, 'a', false);
    expect(await queue.clean('completed', { limit: 3, chunkSize: 2 })).toBe(3);
    expect((await queue.getStats()).completedJobs).toBe(2);
    expect(await queue.clean('completed', { olderThan: 3_600_000 })).toBe(0);
    expect(await queue.clean('completed')).toBe(2);
  });

  it('clean refuses a bad status, age or limit before removing anything', async () => {
    await runJobs(1, 'a', false);
    await expect(queue.clean('pending' as 'failed')).rejects.toThrow(/status must be completed or failed or cancelled, got "pending"/);
    await expect(queue.clean('completed', { olderThan: -1 })).rejects.toThrow(/olderThan must be/);
    await expect(queue.clean('completed', { limit: 0 })).rejects.toThrow(/limit must be/);
    expect((await queue.getStats()).completedJobs).toBe(1);
  });

  it('removeJob deletes a finished job; a waiting or unknown one rejects saying so', async () => {
    await runJobs(1, 'a', true);
    const [failed] = await queue.listJobs('failed');
    await queue.removeJob(failed!.id);
    expect(await queue.getJob(failed!.id)).toBeNull();
    const waiting = await queue.push({ type: 'a', payload: {} });
    await expect(queue.removeJob(waiting.id)).rejects.toThrow(InvalidJobStateError);
    await expect(queue.removeJob('nope')).rejects.toThrow(JobNotFoundError);
  });
});

describe('totals, history and the registry', () => {
  it('totals keep counting past retention; history has this minute', async () => {
    await runJobs(8, 'a', true);
    await runJobs(3, 'a', false);
    expect((await queue.getStats()).failedJobs).toBe(5); // keepFailed.count
    expect(await queue.getTotals()).toEqual({ completed: 3, failed: 8 });
    const history = await queue.getHistory({ minutes: 5 });
    expect(history).toHaveLength(5);
    // Buckets start on the minute, one minute apart, the last being this minute.
    expect(history.map((bucket) => bucket.at.getTime() % 60_000)).toEqual([0, 0, 0, 0, 0]);
    expect(history[4]!.at.getTime() - history[0]!.at.getTime()).toBe(4 * 60_000);
    expect(Date.now() - history.at(-1)!.at.getTime()).toBeLessThan(61_000);
    const counted = history.reduce((sum, bucket) => ({ completed: sum.completed + bucket.completed, failed: sum.failed + bucket.failed }), { completed: 0, failed: 0 });
    expect(counted).toEqual({ completed: 3, failed: 8 });
    await expect(queue.getHistory({ minutes: 1441 })).rejects.toThrow(/minutes must be an integer from 1 to 1440/);
  });

  it('queues register under the prefix when first used, by a push or a worker', async () => {
    expect(await queue.listQueues()).toEqual([]);
    await queue.queue('mail').push({ type: 'a', payload: {} });
    const worker = new RedisWorker(queue.queue('reports'), { pollTime: 50 });
    void worker.start();
    await waitFor('the worker to register its queue', async () => (await queue.listQueues()).includes('reports'));
    await worker.stop();
    expect(await queue.listQueues()).toEqual(['mail', 'reports']);
  });
});

describe('a sharded queue', () => {
  it('retryJobs, clean and removeJob reach every shard; totals and history add the shards up; clean keeps one limit over all', async () => {
    const sharded = queue.queue('spread', { shards: 3, keepFailed: { count: 100 } });
    const shardsOf = (jobs: { id: string }[]) => new Set(jobs.map((job) => job.id.split('-')[0]));
    const worker = new RedisWorker(sharded, { numWorkers: 6, pollTime: 50 });
    worker.registerHandler('ok', () => ({ success: true }));
    worker.registerHandler('bad', () => ({ success: false, error: 'nope', retry: false }));
    await sharded.pushBulk([...Array.from({ length: 6 }, () => ({ type: 'bad' })), ...Array.from({ length: 3 }, () => ({ type: 'ok' }))]);
    void worker.start();
    await waitFor('9 jobs to finish', async () => (await sharded.getTotals()).failed === 6 && (await sharded.getTotals()).completed === 3);
    await worker.stop();
    const recent = await sharded.getHistory({ minutes: 2 });
    expect(recent.reduce((sum, minute) => sum + minute.failed, 0)).toBe(6);
    expect(recent.reduce((sum, minute) => sum + minute.completed, 0)).toBe(3);
    expect(shardsOf(await sharded.listJobs('failed'))).toEqual(new Set(['0', '1', '2']));

    const seen: BulkProgress[] = [];
    expect(await sharded.retryJobs('failed', { chunkSize: 2, onProgress: (p) => seen.push(p) })).toBe(6);
    expect(seen.at(-1)).toMatchObject({ done: 6, total: 6 });
    const retried = await sharded.listJobs('pending');
    expect(retried).toHaveLength(6);
    for (const job of retried) await sharded.cancelJob(job.id);
    expect(await sharded.clean('cancelled', { limit: 4 })).toBe(4);
    const left = await sharded.listJobs('cancelled');
    expect(left).toHaveLength(2);

    // removeJob finds each job on its own shard.
    for (const job of [...left, ...(await sharded.listJobs('completed'))]) await sharded.removeJob(job.id);
    expect(await sharded.getStats()).toMatchObject({ cancelledJobs: 0, completedJobs: 0, pendingJobs: 0 });
    expect(await sharded.getTotals()).toEqual({ completed: 3, failed: 6 });
  });
});
