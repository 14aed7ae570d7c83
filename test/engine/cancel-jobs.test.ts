/**
 * Bulk cancel (`cancelJobs`) and what a mass of cancels leaves behind: the tombstones a claim
 * clears, a bounded number per call, without the queue losing a job behind them.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ValidationError, type BulkProgress, type RedisQueue } from '../../src/index.js';
import { freshQueue, rawClient } from '../helpers.js';

let queue: RedisQueue;
let prefix: string;
let cleanup: () => Promise<void>;

beforeEach(async () => {
  ({ queue, prefix, cleanup } = await freshQueue('cancel-all', { keepFailed: { count: 100_000 } }));
});
afterEach(() => cleanup());

describe('cancelJobs', () => {
  it('cancels every pending job of every level and group in chunks, with progress, and counts stay exact', async () => {
    await queue.pushBulk(Array.from({ length: 450 }, (_, i) => ({
      type: i % 2 ? 'a' : 'b', payload: { i }, priority: i % 3, ...(i % 5 === 0 ? { group: `g${i % 4}` } : {}),
    })));
    await queue.pushDelayed({ type: 'later', payload: {} }, 60_000);
    const progress: BulkProgress[] = [];
    expect(await queue.cancelJobs('pending', { chunkSize: 100, onProgress: (p) => progress.push(p) })).toBe(450);
    expect(progress.length).toBeGreaterThanOrEqual(5);
    expect(progress.at(-1)).toMatchObject({ done: 450, total: 450 });
    expect(await queue.getStats()).toMatchObject({ pendingJobs: 0, delayedJobs: 1, cancelledJobs: 450 });
    expect(await queue.listJobs('cancelled', { limit: 1000 })).toHaveLength(450);
    expect(await queue.listJobs('pending')).toEqual([]);
    // The cancelled jobs' entries are gone from the ready lists, the groups' lanes included.
    const raw = rawClient();
    try {
      const lists = await raw.keys(`${prefix}:{cancel-all}:*ready:*`);
      expect(lists.some((key) => key.includes(':gready:'))).toBe(false);
      expect(await Promise.all(lists.map((key) => raw.llen(key)))).toEqual(lists.map(() => 0));
    } finally {
      raw.disconnect();
    }
    expect(await queue.pop()).toBeNull();
    const pushed = await queue.push({ type: 'after', payload: {} });
    expect((await queue.pop())?.id).toBe(pushed.id);
  });

  it('cancels a job with two entries in its list once, and walks many levels in bounded chunks', async () => {
    const [a] = await queue.pushBulk([{ type: 't', payload: {} }, { type: 't', payload: {} }]);
    // A second entry of a's id, as a cancel that could not find the first leaves (and a retry adds).
    const raw = rawClient();
    try {
      await raw.rpush(`${prefix}:{cancel-all}:ready:0`, a!.id);
    } finally {
      raw.disconnect();
    }
    await queue.pushBulk(Array.from({ length: 300 }, (_, i) => ({ type: 'level', payload: {}, priority: i + 1 })));
    const progress: BulkProgress[] = [];
    expect(await queue.cancelJobs('pending', { chunkSize: 50, onProgress: (p) => progress.push(p) })).toBe(302);
    // 300 levels at 50 entries read per chunk: the walk went on below the levels done with.
    expect(progress.length).toBeGreaterThanOrEqual(6);
    expect(await queue.getStats()).toMatchObject({ pendingJobs: 0, cancelledJobs: 302 });
    expect(await queue.retryJobs('cancelled')).toBe(302);
    expect((await queue.getStats()).pendingJobs).toBe(302);
  });

  it('leaves pending jobs that became ready after it began', async () => {
    await queue.pushBulk(Array.from({ length: 30 }, () => ({ type: 'old', payload: {} })));
    let late: string | undefined;
    const cancelled = await queue.cancelJobs('pending', {
      chunkSize: 10,
      onProgress: ({ done }) => {
        if (done === 10) void queue.push({ type: 'late', payload: {} }).then((job) => (late = job.id));
      },
    });
    expect(cancelled).toBe(30);
    expect(late).toBeDefined();
    expect((await queue.listJobs('pending')).map((job) => job.id)).toEqual([late]);
  });

  it('cancels delayed and retrying jobs, soonest first, and releases their unique keys', async () => {
    const delayed = await queue.pushBulk(Array.from({ length: 7 }, (_, i) => ({ type: 'd', payload: { i }, delay: 60_000 + i })));
    const held = await queue.pushWithOutcome({ type: 'u', payload: {}, uniqueKey: 'only-one' }, 60_000);
    expect(held.stored).toBe(true);
    expect(await queue.cancelJobs('delayed', { chunkSize: 3 })).toBe(8);
    expect((await queue.getStats()).delayedJobs).toBe(0);
    expect((await queue.getJob(delayed[6]!.id))?.status).toBe('cancelled');
    // The key was released with its job: a new job with it is stored.
    expect((await queue.pushWithOutcome({ type: 'u', payload: {}, uniqueKey: 'only-one' })).stored).toBe(true);
    expect(await queue.cancelJobs('retrying')).toBe(0);
  });

  it('refuses a status it cannot cancel from and bad options, naming them', async () => {
    await expect(queue.cancelJobs('failed' as 'pending')).rejects.toThrow(ValidationError);
    await expect(queue.cancelJobs('failed' as 'pending')).rejects.toThrow(/status must be pending or delayed or retrying, got "failed"/);
    await expect(queue.cancelJobs('pending', { chunkSize: 0 })).rejects.toThrow(/chunkSize must be an integer from 1 to 10000/);
    await expect(queue.cancelJobs('pending', { chunk: 5 } as never)).rejects.toThrow(/chunk/);
  });
});

describe('a claim behind a mass of cancelled jobs', () => {
  it('clears the tombstones a bounded number per call, and no job behind them is lost', async () => {
    const jobs = await queue.pushBulk(Array.from({ length: 2_600 }, (_, i) => ({ type: 't', payload: { i } })));
    // One by one, as a console's marked jobs are: each leaves a tombstone in its list.
    for (let i = 0; i < jobs.length; i += 100) await Promise.all(jobs.slice(i, i + 100).map((job) => queue.cancelJob(job.id)));
    const last = await queue.push({ type: 't', payload: { last: true } });
    const store = (queue as unknown as { store: { claim(n: number, ms: number): Promise<{ jobs: unknown[]; cut: boolean }> } }).store;
    // 2,600 tombstones: more than one claim clears (2,000). The first comes back short and says so.
    const first = await store.claim(1, 30_000);
    expect(first).toMatchObject({ jobs: [], cut: true });
    // pop() goes on past the cut to the job.
    expect((await queue.pop())?.id).toBe(last.id);
  });

  it('counts stale ids toward the same bound, for a claim of many jobs too', async () => {
    const head = await queue.push({ type: 't', payload: {} });
    const raw = rawClient();
    try {
      // 3,000 entries naming no job ahead of the real one.
      await raw.rpush(`${prefix}:{cancel-all}:ready:0`, ...Array.from({ length: 3_000 }, (_, i) => `gone${i}`));
    } finally {
      raw.disconnect();
    }
    const job = await queue.push({ type: 't', payload: {} });
    const store = (queue as unknown as { store: { claim(n: number, ms: number): Promise<{ jobs: { id: string }[]; cut: boolean }> } }).store;
    const first = await store.claim(100, 30_000);
    expect(first.jobs.map((claimed) => claimed.id)).toEqual([head.id]);
    expect(first.cut).toBe(true);
    expect((await store.claim(100, 30_000)).jobs.map((claimed) => claimed.id)).toEqual([job.id]);
  });

  it('finds a cancelled job of a large batch past a tombstone of the same batch', async () => {
    // 5,000 ids of one call: the cancel searches them by id, and must step over the tombstone it meets.
    const jobs = await queue.pushBulk(Array.from({ length: 5_000 }, (_, i) => ({ type: 't', payload: { i } })));
    await queue.cancelJob(jobs[2_499]!.id);
    const target = jobs[4_989]!.id;
    await queue.cancelJob(target);
    const raw = rawClient();
    try {
      const entries = await raw.lrange(`${prefix}:{cancel-all}:ready:0`, 0, -1);
      expect(entries.filter((entry) => entry.startsWith('~'))).toHaveLength(2);
      expect(entries).not.toContain(target);
    } finally {
      raw.disconnect();
    }
    // Retried, it waits at the tail once, behind the jobs that were waiting before it.
    await queue.retryJob(target);
    const pending = await queue.listJobs('pending', { limit: 10_000 });
    expect(pending.filter((job) => job.id === target)).toHaveLength(1);
    expect(pending[0]!.id).toBe(target);
  });
});
