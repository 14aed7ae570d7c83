/**
 * listJobs and pageJobs at their edges: every status's page and total, running jobs newest first,
 * the offset and limit bounds, ids whose job is gone or moved on by the time its record is read, and
 * totals summed over shards.
 */
import { expect, test } from 'vitest';
import { ValidationError, type Job } from '../../src/index.js';
import { queueKeys } from '../../src/engine/keys.js';
import type { ListableStatus } from '../../src/engine/job-lists.js';
import { rawClient, waitFor } from '../helpers.js';
import { useWorkerFixture } from './worker-fixture.js';

const f = useWorkerFixture();
const idsOf = (jobs: readonly Job[]) => jobs.map((job) => job.id);
const many = (count: number, job: { type: string; maxAttempts?: number }) => Array.from({ length: count }, () => ({ ...job }));

/**
 * A queue (retries 10 minutes apart) with jobs in every status but processing, each status in a
 * number of its own, and the ids of each.
 */
async function everyStatus(): Promise<Record<Exclude<ListableStatus, 'processing'>, string[]>> {
  await f.reopen('lists', { retryDelays: [600_000] });
  const worker = f.worker();
  worker.registerHandler('ok', () => ({ success: true }));
  worker.registerHandler('bad', () => ({ success: false, error: 'no' }));
  const completed = await f.queue.pushBulk(many(3, { type: 'ok' }));
  const failed = await f.queue.pushBulk(many(4, { type: 'bad', maxAttempts: 1 }));
  const retrying = await f.queue.pushBulk(many(2, { type: 'bad', maxAttempts: 3 }));
  void worker.start();
  await waitFor('the worker to finish its nine jobs', async () => {
    const stats = await f.queue.getStats();
    return stats.completedJobs === 3 && stats.failedJobs === 4 && stats.retryingJobs === 2;
  });
  await worker.stop();
  // Cancelled while waiting for their time, so they leave no place in the ready lists to count.
  const cancelled = await f.queue.pushBulk(many(5, { type: 'later' }).map((job) => ({ ...job, delay: 600_000 })));
  for (const job of cancelled) await f.queue.cancelJob(job.id);
  const delayed = await f.queue.pushBulk(many(6, { type: 'later' }).map((job) => ({ ...job, delay: 600_000 })));
  const pending = await f.queue.pushBulk(many(7, { type: 'later' }));
  return {
    completed: idsOf(completed), failed: idsOf(failed), retrying: idsOf(retrying),
    cancelled: idsOf(cancelled), delayed: idsOf(delayed), pending: idsOf(pending),
  };
}

test('pageJobs counts each status in its total and pages within it; listJobs gives the same jobs', async () => {
  const expected = await everyStatus();
  for (const [status, ids] of Object.entries(expected) as [Exclude<ListableStatus, 'processing'>, string[]][]) {
    const all = await f.queue.pageJobs(status, { limit: 100 });
    expect([status, all.total, idsOf(all.jobs).sort()]).toEqual([status, ids.length, [...ids].sort()]);
    for (const job of all.jobs) expect(job.status).toBe(status === 'delayed' ? 'pending' : status);
    // A page inside the status: its slice of the whole listing, with the status's total still.
    const page = await f.queue.pageJobs(status, { offset: 1, limit: 1 });
    expect([status, page.total, idsOf(page.jobs)]).toEqual([status, ids.length, idsOf(all.jobs).slice(1, 2)]);
    expect(idsOf(await f.queue.listJobs(status, { offset: 1, limit: 1 }))).toEqual(idsOf(page.jobs));
  }
});

test('running jobs list newest first by their claim, paged, with their count', async () => {
  await f.queue.pushBulk(many(4, { type: 't' }));
  const claimed: Job[] = [];
  for (let i = 0; i < 3; i++) {
    const job = (await f.queue.pop())!;
    claimed.push(job);
    // The next claim at a later millisecond, so the three have an order.
    await waitFor('a later millisecond', () => Date.now() > job.enteredAt.getTime() + 1);
  }
  const newestFirst = idsOf(claimed).reverse();
  const all = await f.queue.pageJobs('processing');
  expect(idsOf(all.jobs)).toEqual(newestFirst);
  expect(all.total).toBe(3);
  expect(all.jobs.every((job) => job.status === 'processing')).toBe(true);
  expect(await f.queue.pageJobs('processing', { offset: 1, limit: 1 })).toMatchObject({ total: 3, jobs: [{ id: newestFirst[1] }] });
  expect(idsOf(await f.queue.listJobs('processing', { offset: 2, limit: 5 }))).toEqual([newestFirst[2]]);
  expect(await f.queue.listJobs('processing', { offset: 3 })).toEqual([]);
});

test('offset and limit are refused just past their bounds, naming the value, and taken at them', async () => {
  const pushed = await f.queue.pushBulk(many(51, { type: 't' }));
  for (const offset of [-1, 1.5, Number.NaN]) {
    const listing = f.queue.listJobs('pending', { offset });
    await expect(listing).rejects.toThrow(ValidationError);
    await expect(listing).rejects.toThrow(`offset must be a non-negative integer, got ${offset}`);
  }
  for (const limit of [0, 10_001, 2.5]) {
    const listing = f.queue.pageJobs('completed', { limit });
    await expect(listing).rejects.toThrow(ValidationError);
    await expect(listing).rejects.toThrow(`limit must be an integer from 1 to 10000, got ${limit}`);
  }
  await expect(f.queue.listJobs('nope' as ListableStatus)).rejects.toThrow(
    'status must be one of pending, processing, completed, failed, retrying, cancelled or delayed, got "nope"',
  );
  const newestFirst = idsOf(pushed).reverse();
  expect(idsOf(await f.queue.listJobs('pending', { offset: 0, limit: 1 }))).toEqual(newestFirst.slice(0, 1));
  expect(idsOf(await f.queue.listJobs('pending', { limit: 10_000 }))).toEqual(newestFirst);
  // Without a limit, a page of 50.
  expect(idsOf(await f.queue.listJobs('pending'))).toEqual(newestFirst.slice(0, 50));
  expect(await f.queue.pageJobs('pending', { offset: 50 })).toMatchObject({ total: 51, jobs: [{ id: newestFirst[50] }] });
});

test('an id listed in a status whose job is gone, or has moved on, by the time its record is read is left out', async () => {
  const [kept, moved] = await f.queue.pushBulk(many(2, { type: 't' }));
  await f.queue.cancelJob(kept!.id);
  await f.queue.pop();
  // As if `moved` was retried and claimed, and another job removed, between reading the ids and the records.
  const raw = rawClient();
  try {
    const keys = queueKeys(f.prefix, f.queue.name);
    await raw.rpush(keys.cancelled, `${(Date.now() + 1_000) * 1000},${moved!.id}`, `${(Date.now() + 2_000) * 1000},gone-job`);
    await raw.zadd(keys.active, Date.now() + 60_000, 'gone-too');
  } finally {
    raw.disconnect();
  }
  expect(idsOf(await f.queue.listJobs('cancelled'))).toEqual([kept!.id]);
  expect(idsOf(await f.queue.listJobs('processing'))).toEqual([moved!.id]);
});

test('a sharded queue sums its shards\' totals and pages over their merged jobs to the last page', async () => {
  await f.reopen('sharded', { shards: 3 });
  const jobs = await f.queue.pushBulk(many(9, { type: 't' }));
  // Seven cancelled: three on one shard, two on each of the others.
  for (const job of jobs.slice(0, 7)) await f.queue.cancelJob(job.id);
  const cancelled = await f.queue.pageJobs('cancelled', { limit: 10 });
  expect(cancelled.total).toBe(7);
  expect(idsOf(cancelled.jobs).sort()).toEqual(idsOf(jobs.slice(0, 7)).sort());
  // The last page: each shard's first offset + limit jobs are read to find it.
  expect(await f.queue.pageJobs('cancelled', { offset: 5, limit: 2 })).toEqual({ total: 7, jobs: cancelled.jobs.slice(5) });
  expect(await f.queue.listJobs('cancelled', { offset: 7 })).toEqual([]);
  // Pending: the two left, and the seven places the cancelled ones left in the ready lists.
  const pending = await f.queue.pageJobs('pending');
  expect(pending.total).toBe(9);
  expect(idsOf(pending.jobs).sort()).toEqual(idsOf(jobs.slice(7)).sort());
});
