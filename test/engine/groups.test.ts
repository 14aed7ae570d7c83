/**
 * Fair groups through the public API: claims take the groups with ready jobs in turn (jobs without
 * a group take theirs as one more), order within a group stays priority then oldest first, and
 * grouped jobs are listed, cancelled, re-prioritised, retried and delayed like any other.
 */
import { describe, expect, it } from 'vitest';
import { ValidationError, type Job, type RedisWorker } from '../../src/index.js';
import { queueKeys } from '../../src/engine/keys.js';
import { freshQueue, rawClient, waitFor } from '../helpers.js';
import { useWorkerFixture } from './worker-fixture.js';

/** Pops until the queue is empty or `max` jobs were taken: the claims' order, one job each. */
async function popAll(queue: { pop(): Promise<Job | null> }, max = 10_000): Promise<Job[]> {
  const taken: Job[] = [];
  for (let job = await queue.pop(); job && taken.length < max; job = await queue.pop()) taken.push(job);
  return taken;
}

/** Starts `worker` with a handler of type `t` that completes at once; the groups of the jobs it started, in order. */
function startRecording(worker: RedisWorker): string[] {
  const started: string[] = [];
  worker.registerHandler('t', (_ctx, job) => {
    started.push(job.group!);
    return { success: true };
  });
  void worker.start();
  return started;
}

describe('fair groups', () => {
  const f = useWorkerFixture();

  it('starts 10 jobs of group B, queued behind 1,000 of group A, within the first 30 claims', async () => {
    await f.dispatcher.dispatchBulk(Array.from({ length: 1_000 }, (_, n) => ({ type: 't', payload: { n }, options: { group: 'A' } })));
    await f.dispatcher.dispatchBulk(Array.from({ length: 10 }, (_, n) => ({ type: 't', payload: { n }, options: { group: 'B' } })));
    const started = startRecording(f.worker({ numWorkers: 1 }));
    await waitFor('40 starts', () => started.length >= 40, { timeoutMs: 30_000 });
    const firstThirty = started.slice(0, 30);
    expect(firstThirty.filter((group) => group === 'B')).toHaveLength(10);
    // In turn: A and B alternate while both have ready jobs.
    expect(started.slice(0, 20)).toEqual(Array.from({ length: 20 }, (_, i) => (i % 2 === 0 ? 'A' : 'B')));
  });

  it('keeps priority, then oldest first, within a group, and takes jobs without a group as one more turn', async () => {
    await f.dispatcher.dispatchBulk([
      { type: 'plain', payload: { n: 1 } },
      { type: 'plain', payload: { n: 2 } },
      { type: 'plain', payload: { n: 3 } },
    ]);
    for (const [n, priority] of [[1, 0], [2, 5], [3, 0], [4, 5]] as const) {
      await f.dispatcher.dispatch('g', { n }, { group: 'tenant:a', priority });
    }
    const taken = await popAll(f.queue);
    const label = (job: Job) => `${job.group ?? '-'}${String(job.payload.n)}`;
    expect(taken.map(label)).toEqual(['-1', 'tenant:a2', '-2', 'tenant:a4', '-3', 'tenant:a1', 'tenant:a3']);
  });

  it('rotates over many groups in a claim of several jobs', async () => {
    for (const group of ['a', 'b', 'c']) {
      await f.dispatcher.dispatchBulk(Array.from({ length: 20 }, (_, n) => ({ type: 't', payload: { n }, options: { group } })));
    }
    const started = startRecording(f.worker({ numWorkers: 6 }));
    await waitFor('60 starts', () => started.length === 60, { timeoutMs: 30_000 });
    // Every group got a third of the first 30 starts, however the claims batched them.
    for (const group of ['a', 'b', 'c']) expect(started.slice(0, 30).filter((g) => g === group).length).toBeGreaterThanOrEqual(8);
    expect(await f.queue.getStats()).toMatchObject({ pendingJobs: 0, completedJobs: 60 });
  });

  it('lists, counts, cancels and re-prioritises grouped jobs in place', async () => {
    const a = await f.dispatcher.dispatchBulk(Array.from({ length: 5 }, (_, n) => ({ type: 't', payload: { n }, options: { group: 'a' } })));
    const plain = await f.dispatcher.dispatch('t', { n: 'plain' });
    const b = await f.dispatcher.dispatch('t', { n: 'b' }, { group: 'b' });
    expect((await f.queue.getJob(a[0]!.id))?.group).toBe('a');
    expect((await f.queue.getJob(plain.id))?.group).toBeUndefined();
    expect((await f.queue.getStats()).pendingJobs).toBe(7);
    const page = await f.queue.pageJobs('pending', { limit: 100 });
    expect(page.total).toBe(7);
    expect(new Set(page.jobs.map((job) => job.id))).toEqual(new Set([...a.map((job) => job.id), plain.id, b.id]));
    // A deep page by rank finds grouped entries too: every job once over pages of 2.
    const paged: string[] = [];
    for (let offset = 0; offset < 7; offset += 2) paged.push(...(await f.queue.listJobs('pending', { offset, limit: 2 })).map((job) => job.id));
    expect(new Set(paged).size).toBe(7);

    await f.queue.cancelJob(a[1]!.id);
    await f.queue.setPriority(a[4]!.id, 9);
    const listed = (await f.queue.listJobs('pending', { limit: 100 })).map((job) => job.id);
    expect(listed).not.toContain(a[1]!.id);
    expect(listed).toHaveLength(6);
    const taken = await popAll(f.queue);
    const ofA = taken.filter((job) => job.group === 'a').map((job) => job.id);
    // The re-prioritised job first in its group; the cancelled one never runs.
    expect(ofA).toEqual([a[4]!.id, a[0]!.id, a[2]!.id, a[3]!.id]);
    expect(taken).toHaveLength(6);
  });

  it('pages through the pending jobs of 2,000 groups newest first, at any offset', async () => {
    const plain = await f.queue.pushBulk(Array.from({ length: 10 }, () => ({ type: 't' })));
    const grouped = await f.queue.pushBulk(Array.from({ length: 2_000 }, (_, n) => ({ type: 't', group: `tenant-${n}` })));
    const page = await f.queue.pageJobs('pending', { offset: 1_000, limit: 20 });
    expect(page.total).toBe(2_010);
    // Newest first: the grouped jobs came last, in one call, so in descending ids from offset 0.
    const newestFirst = grouped.map((job) => job.id).reverse();
    expect(page.jobs.map((job) => job.id)).toEqual(newestFirst.slice(1_000, 1_020));
    const last = await f.queue.pageJobs('pending', { offset: 2_000, limit: 20 });
    expect(last.jobs.map((job) => job.id).sort()).toEqual(plain.map((job) => job.id).sort());
  });

  it('promotes a delayed grouped job into its group, and a retried one runs in its group again', async () => {
    await f.dispatcher.dispatchBulk(Array.from({ length: 50 }, (_, n) => ({ type: 't', payload: { n }, options: { group: 'big' } })));
    const late = await f.dispatcher.dispatch('t', { n: 'late' }, { group: 'small', delay: 150 });
    await waitFor('the delayed job to be due', async () => (await f.queue.getJob(late.id))!.runAt!.getTime() <= Date.now() - 50);
    const firstTwo = [await f.queue.pop(), await f.queue.pop()];
    expect(firstTwo.map((job) => job?.group)).toContain('small');
    const small = firstTwo.find((job) => job?.group === 'small')!;
    await f.queue.cancelJob(small.id);
    await f.queue.retryJob(small.id);
    const nextTwo = [await f.queue.pop(), await f.queue.pop()];
    expect(nextTwo.map((job) => job?.id)).toContain(small.id);
  });

  it('hands a claimed grouped job back to its group when a worker stops before running it', async () => {
    await f.dispatcher.dispatchBulk(Array.from({ length: 3 }, (_, n) => ({ type: 'slow', payload: { n }, options: { group: 'g' } })));
    const started: number[] = [];
    const worker = f.worker({ numWorkers: 1 });
    worker.registerHandler('slow', async (_ctx, job) => {
      started.push(job.payload.n as number);
      await new Promise((resolve) => setTimeout(resolve, 100));
      return { success: true };
    });
    void worker.start();
    await waitFor('the first start', () => started.length >= 1);
    await worker.stop();
    const rest = await popAll(f.queue);
    expect(rest.every((job) => job.group === 'g')).toBe(true);
    expect(started.length + rest.length).toBe(3);
  });

  it('refuses a group that is not a short name, naming the problem, and stores nothing', async () => {
    for (const group of ['', 'a b', 'x|y', 'a,b', '{t}', 'x'.repeat(101), 5]) {
      const dispatch = f.dispatcher.dispatch('t', {}, { group: group as string });
      await expect(dispatch).rejects.toThrow(ValidationError);
      await expect(dispatch).rejects.toThrow(/group must be 1-100 letters/);
    }
    expect((await f.queue.getStats()).pendingJobs).toBe(0);
  });

  it('costs a queue that never saw a group nothing: no turn keys are written', async () => {
    await f.dispatcher.dispatchBulk(Array.from({ length: 5 }, () => ({ type: 't' })));
    await popAll(f.queue);
    const redis = rawClient();
    try {
      const { base } = queueKeys(f.prefix, f.queue.name);
      expect(await redis.exists(`${base}groupTurn`, `${base}groupTurns`)).toBe(0);
      // The same check sees them once a grouped job came.
      await f.dispatcher.dispatch('t', {}, { group: 'g' });
      expect(await redis.exists(`${base}groupTurn`, `${base}groupTurns`)).toBe(2);
    } finally {
      redis.disconnect();
    }
  });
});

describe('a cap on each group', () => {
  const f = useWorkerFixture();

  it('runs at most 2 jobs of a group at once across two workers, while other groups go on', async () => {
    await f.queue.setGroupConcurrency(2);
    expect((await f.queue.getOverview()).groupConcurrency).toBe(2);
    await f.dispatcher.dispatchBulk(Array.from({ length: 12 }, (_, n) => ({ type: 't', payload: { n }, options: { group: 'A' } })));
    await f.dispatcher.dispatchBulk(Array.from({ length: 4 }, (_, n) => ({ type: 't', payload: { n }, options: { group: 'B' } })));
    const running = new Map<string, number>();
    const most = new Map<string, number>();
    const started: string[] = [];
    for (let w = 0; w < 2; w++) {
      const worker = f.worker({ numWorkers: 4 });
      worker.registerHandler('t', async (_ctx, job) => {
        const group = job.group!;
        started.push(group);
        running.set(group, (running.get(group) ?? 0) + 1);
        most.set(group, Math.max(most.get(group) ?? 0, running.get(group)!));
        await new Promise((resolve) => setTimeout(resolve, 60));
        running.set(group, running.get(group)! - 1);
        return { success: true };
      });
      void worker.start();
    }
    await waitFor('16 jobs to complete', async () => (await f.queue.getStats()).completedJobs === 16, { timeoutMs: 30_000 });
    expect(most.get('A')).toBe(2);
    expect(most.get('B')).toBe(2);
    // B did not wait for A's backlog.
    expect(started.lastIndexOf('B')).toBeLessThan(started.lastIndexOf('A'));
  });

  it('still lists the waiting jobs of a group held at its cap', async () => {
    await f.queue.setGroupConcurrency(1);
    const jobs = await f.queue.pushBulk(Array.from({ length: 3 }, () => ({ type: 't', group: 'held' })));
    expect((await f.queue.pop())?.id).toBe(jobs[0]!.id);
    expect(await f.queue.pop()).toBeNull();
    const listed = (await f.queue.listJobs('pending', { limit: 10 })).map((job) => job.id);
    expect(listed.sort()).toEqual([jobs[1]!.id, jobs[2]!.id].sort());
  });

  it('refuses a bad cap, naming it, and null lifts the cap', async () => {
    for (const bad of [0, -1, 1.5, '2', Number.NaN]) {
      await expect(f.queue.setGroupConcurrency(bad as number)).rejects.toThrow(/group concurrency must be an integer from 1 to 1000000 or null/);
    }
    await f.queue.setGroupConcurrency(3);
    await f.queue.setGroupConcurrency(null);
    expect((await f.queue.getOverview()).groupConcurrency).toBeNull();
  });
});

describe('fair groups on a sharded queue', () => {
  it('keeps each group on one shard and rotates the groups there', async () => {
    const { queue, cleanup } = await freshQueue('gshards', { shards: 3 });
    try {
      const a = await queue.pushBulk(Array.from({ length: 30 }, () => ({ type: 't', group: 'A' })));
      const b = await queue.pushBulk(Array.from({ length: 3 }, () => ({ type: 't', group: 'B' })));
      expect(new Set(a.map((job) => job.id.split('-')[0])).size).toBe(1);
      expect(new Set(b.map((job) => job.id.split('-')[0])).size).toBe(1);
      const taken = await popAll(queue);
      expect(taken).toHaveLength(33);
      // Whatever the shards, B's three jobs start before A's backlog is through.
      const lastB = taken.map((job) => job.group).lastIndexOf('B');
      expect(lastB).toBeLessThan(12);
    } finally {
      await cleanup();
    }
  });
});
