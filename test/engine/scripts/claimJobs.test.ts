import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { newJob, scriptHarness, type Harness } from './harness.js';
import { waitFor } from '../../helpers.js';

describe('claimJobs.lua', () => {
  let h: Harness;
  beforeEach(async () => (h = await scriptHarness('claimJobs')));
  afterEach(() => h.close());

  it('claims the highest priority first and FIFO within a priority, each under its claim count as lease token', async () => {
    await h.store.addJobs([newJob('a'), newJob('b', { priority: 5 }), newJob('c'), newJob('d', { priority: 5 })]);
    const before = await h.redisNow();
    const { jobs } = await h.store.claim(4, 30_000);
    expect(jobs.map((j) => j.id)).toEqual(['b', 'd', 'a', 'c']);
    for (const { id, token } of jobs) {
      expect(token).toBe('1');
      expect(await h.fields(id)).toMatchObject({ s: 'processing', a: '1', q: token });
      const deadline = Number(await h.raw.zscore(h.keys.active, id));
      expect(deadline).toBeGreaterThanOrEqual(before + 30_000);
    }
    expect(await h.raw.exists(h.ready(0), h.ready(5))).toBe(0);
    expect((await h.events()).at(-1)).toEqual({ ev: 'processing', ids: 'b,d,a,c' });
  });

  it('claims at most the number asked and passes the wake marker on while jobs remain', async () => {
    await h.store.addJobs([newJob('a'), newJob('b')]);
    await h.raw.del(h.keys.wake);
    const first = await h.store.claim(1, 30_000);
    expect(first.jobs.map((j) => j.id)).toEqual(['a']);
    expect(await h.raw.lrange(h.ready(0), 0, -1)).toEqual(['b']);
    expect(await h.raw.lrange(h.keys.wake, 0, -1)).toEqual(['1']);
    const second = await h.store.claim(1, 30_000);
    expect(second.jobs.map((j) => j.id)).toEqual(['b']);
  });

  it('drops a level whose list a claim emptied at the next claim that finds it empty', async () => {
    await h.store.addJobs([newJob('a', { priority: 3 }), newJob('b')]);
    expect((await h.store.claim(1, 30_000)).jobs.map((j) => j.id)).toEqual(['a']);
    expect(await h.raw.exists(h.ready(3))).toBe(0);
    expect((await h.store.claim(5, 30_000)).jobs.map((j) => j.id)).toEqual(['b']);
    // Level 0 ran dry in that claim; a job added to it before the next claim would find it listed.
    await h.store.addJobs([newJob('c')]);
    expect((await h.store.claim(5, 30_000)).jobs.map((j) => j.id)).toEqual(['c']);
    expect((await h.store.claim(5, 30_000)).jobs).toEqual([]);
    expect(await h.raw.zcard(h.keys.priorities)).toBe(0);
    expect((await h.store.stats()).stats.pendingJobs).toBe(0);
  });

  it('keeps the active set a skiplist however few jobs run, and its anchor out of counts and due times', async () => {
    await h.store.addJobs([newJob('a')]);
    // The claim's own job is not "next due" for its worker, which renews that lease itself.
    expect((await h.store.claim(1, 60_000)).nextDue).toBe(-1);
    expect(await h.raw.object('ENCODING', h.keys.active)).toBe('skiplist');
    expect((await h.store.stats()).stats.processingJobs).toBe(1);
    const { jobs, nextDue } = await h.store.claim(0, 60_000);
    expect(jobs).toEqual([]);
    expect(nextDue).toBeGreaterThan(59_000);
    await h.store.cancel('a');
    expect(await h.running()).toEqual([]);
    expect((await h.store.claim(0, 60_000)).nextDue).toBe(-1);
  });

  it('returns no job and -1 as next due time on an empty queue', async () => {
    const reply = await h.store.claim(3, 30_000);
    expect(reply).toEqual({ jobs: [], nextDue: -1, heldFor: -1, cut: false });
  });

  it('claims nothing while paused, leaving the ready jobs in place', async () => {
    await h.store.addJobs([newJob('a')]);
    await h.store.setPaused(true);
    const { jobs } = await h.store.claim(1, 30_000);
    expect(jobs).toEqual([]);
    expect(await h.raw.lrange(h.ready(0), 0, -1)).toEqual(['a']);
    expect(await h.fields('a')).toMatchObject({ s: 'pending' });
    await h.store.setPaused(false);
    expect((await h.store.claim(1, 30_000)).jobs.map((j) => j.id)).toEqual(['a']);
  });

  it('promotes a due delayed job to the tail of its level and reports a future one as next due', async () => {
    await h.store.addJobs([newJob('due', { delay: 60_000, priority: 2 }), newJob('later', { delay: 60_000 })]);
    await h.makeDue(h.keys.delayed, 'due');
    const { jobs, nextDue } = await h.store.claim(0, 30_000);
    expect(jobs).toEqual([]);
    expect(nextDue).toBeGreaterThan(0);
    expect(nextDue).toBeLessThanOrEqual(60_000);
    const fields = await h.fields('due');
    expect(fields).toMatchObject({ s: 'pending', p: '2' });
    expect(fields).not.toHaveProperty('r');
    expect(fields).toHaveProperty('e');
    expect(await h.raw.zrange(h.keys.delayed, 0, -1)).toEqual(['later']);
    expect(await h.raw.lrange(h.ready(2), 0, -1)).toEqual(['due']);
    expect(await h.events()).toContainEqual({ ev: 'pending', ids: 'due' });
  });

  it('looks at the schedules only when something is due, yet finds a job scheduled sooner than it knew', async () => {
    await h.store.addJobs([newJob('late', { delay: 60_000 })]);
    expect((await h.store.claim(0, 30_000)).nextDue).toBeGreaterThan(59_000);
    // Claims now skip the upkeep until then; a job due sooner moves that time forward.
    await h.store.addJobs([newJob('soon', { delay: 50 })]);
    expect((await h.store.claim(1, 30_000)).nextDue).toBeLessThanOrEqual(50);
    const claimed = await waitFor('the sooner job to be claimed', async () => {
      const { jobs } = await h.store.claim(1, 30_000);
      return jobs.length > 0 ? jobs.map((j) => j.id) : undefined;
    });
    expect(claimed).toEqual(['soon']);
  });

  it('promotes a due retrying job and claims it as its next attempt', async () => {
    await h.store.addJobs([newJob('a')]);
    const [claimed] = (await h.store.claim(1, 30_000)).jobs;
    await h.store.finish([{ id: 'a', token: claimed!.token, kind: 'retrying', value: 'boom', retryDelay: 60_000 }]);
    await h.makeDue(h.keys.retrying, 'a');
    const { jobs } = await h.store.claim(1, 30_000);
    expect(jobs.map((j) => j.id)).toEqual(['a']);
    expect(await h.fields('a')).toMatchObject({ s: 'processing', a: '2', x: 'boom' });
    expect(await h.raw.zcard(h.keys.retrying)).toBe(0);
  });

  it('requeues a job whose lease ran out at the head of its level, keeping its attempts', async () => {
    await h.store.addJobs([newJob('a')]);
    const [lost] = (await h.store.claim(1, 30_000)).jobs;
    await h.store.addJobs([newJob('b')]);
    await h.makeDue(h.keys.active, 'a'); // its worker stopped renewing long ago
    await h.store.claim(0, 30_000);
    const fields = await h.fields('a');
    expect(fields).toMatchObject({ s: 'pending', a: '1' });
    expect(await h.raw.zscore(h.keys.active, 'a')).toBeNull();
    expect(await h.raw.lrange(h.ready(0), 0, -1)).toEqual(['a', 'b']);
    expect(await h.events()).toContainEqual({ ev: 'recovered', ids: 'a' });
    const { jobs } = await h.store.claim(1, 30_000);
    expect(jobs.map((j) => j.id)).toEqual(['a']);
    expect(Number(jobs[0]!.token)).toBe(Number(lost!.token) + 1);
    expect(await h.fields('a')).toMatchObject({ a: '2' });
  });

  it('fails a job for good with "worker lost" when its lease runs out on its last attempt', async () => {
    await h.store.addJobs([newJob('a', { maxAttempts: 1 })]);
    await h.store.claim(1, 30_000);
    await h.makeDue(h.keys.active, 'a');
    const { jobs } = await h.store.claim(1, 30_000);
    expect(jobs).toEqual([]);
    const fields = await h.fields('a');
    expect(fields).toMatchObject({ s: 'failed', a: '1', x: 'worker lost: lease expired on attempt 1 of 1' });
    expect(await h.raw.zscore(h.keys.active, 'a')).toBeNull();
    // Entered failed now: its failed time (getJob's failedAt) and its place in the failed list.
    expect(await h.finishedTimes('failed')).toEqual([['a', Number(fields.e)]]);
    expect(await h.raw.exists(h.ready(0))).toBe(0);
    expect(await h.events()).toContainEqual({ ev: 'failed', ids: 'a', x: 'worker lost' });
  });

  it('leaves a lease whose deadline has not passed alone', async () => {
    await h.store.addJobs([newJob('a')]);
    const [claimed] = (await h.store.claim(1, 60_000)).jobs;
    await h.store.claim(1, 60_000);
    expect(await h.fields('a')).toMatchObject({ s: 'processing', a: '1', q: claimed!.token });
  });

  it('gives a resent claim (same request) the jobs it leased, and a new request new jobs', async () => {
    await h.store.addJobs([newJob('a'), newJob('b'), newJob('c')]);
    const request = { slot: 'w1:1', seq: 1 };
    const first = await h.store.claim(2, 30_000, request);
    const again = await h.store.claim(2, 30_000, request);
    expect(again.jobs.map((j) => [j.id, j.token])).toEqual(first.jobs.map((j) => [j.id, j.token]));
    expect(await h.running()).toHaveLength(2);
    const next = await h.store.claim(2, 30_000, { slot: 'w1:1', seq: 9 });
    expect(next.jobs.map((j) => j.id)).toEqual(['c']);
    // A job of the first claim that was cancelled meanwhile is not handed out again.
    await h.store.cancel('a');
    expect((await h.store.claim(2, 30_000, { slot: 'w1:2', seq: 2 })).jobs).toEqual([]);
    expect((await h.store.claim(2, 30_000, request)).jobs).toEqual([]);
  });

  it('recovers jobs of one claim to the head in the order they were claimed', async () => {
    const ids = ['j0', 'j1', 'j2', 'j3'];
    await h.store.addJobs(ids.map((id) => newJob(id)));
    await h.store.addJobs([newJob('later')]);
    await h.store.claim(4, 30_000);
    // Equal deadlines: the active set alone would give them in member order.
    for (const id of ids) await h.makeDue(h.keys.active, id);
    await h.store.claim(0, 30_000);
    expect(await h.raw.lrange(h.ready(0), 0, -1)).toEqual([...ids, 'later']);
  });

  it('trims the failed list for jobs failed as "worker lost"', async () => {
    await h.store.addJobs(['a', 'b', 'c', 'd'].map((id) => newJob(id, { maxAttempts: 1 })));
    await h.store.claim(4, 30_000);
    for (const id of ['a', 'b', 'c', 'd']) await h.makeDue(h.keys.active, id);
    await h.storeWith({ keepFailed: { age: 3_600_000, count: 2 } }).claim(0, 30_000);
    expect(await h.finished('failed')).toHaveLength(2);
    expect(await h.raw.llen(h.keys.failed)).toBe(2);
    expect(await h.jobCount('a', 'b', 'c', 'd')).toBe(2);
  });

  it('refuses an out-of-range argument before writing anything', async () => {
    await h.store.addJobs([newJob('a')]);
    await expect(h.store.claim(1, Number.NaN)).rejects.toThrow(/lease ms must be a number/);
    expect(await h.fields('a')).toMatchObject({ s: 'pending' });
    expect(await h.raw.lrange(h.ready(0), 0, -1)).toEqual(['a']);
  });
});
