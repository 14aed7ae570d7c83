import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { claimedJob, evalReadOnly, newJob, scriptHarness, snapshot, type Harness } from './harness.js';

describe('getStats.lua', () => {
  let h: Harness;
  beforeEach(async () => (h = await scriptHarness('getStats')));
  afterEach(() => h.close());

  /** One job in every state, plus a delayed job that is already due and a paused flag. */
  async function seedEveryState(): Promise<void> {
    const t1 = await claimedJob(h, 'done');
    await h.store.finish([{ id: 'done', token: t1, kind: 'completed', value: '', retryDelay: 0 }]);
    const t2 = await claimedJob(h, 'bad');
    await h.store.finish([{ id: 'bad', token: t2, kind: 'failed', value: 'x', retryDelay: 0 }]);
    const t3 = await claimedJob(h, 'again');
    await h.store.finish([{ id: 'again', token: t3, kind: 'retrying', value: 'x', retryDelay: 60_000 }]);
    await claimedJob(h, 'running');
    await h.store.addJobs([newJob('stop')]);
    await h.store.cancel('stop');
    await h.store.addJobs([
      newJob('ready1'), newJob('ready2', { priority: 3 }),
      newJob('later', { delay: 60_000 }), newJob('dueNow', { delay: 60_000 }),
    ]);
    await h.raw.zadd(h.keys.delayed, 'XX', 1, 'dueNow');
    await h.store.setPaused(true);
  }

  it('counts each job once by state, a due delayed job as pending, and reports the pause', async () => {
    await seedEveryState();
    const { stats, paused, oldestReadyAt } = await h.store.stats();
    expect(stats).toEqual({
      pendingJobs: 3, delayedJobs: 1, processingJobs: 1, retryingJobs: 1,
      completedJobs: 1, failedJobs: 1, cancelledJobs: 1,
    });
    expect(paused).toBe(true);
    // The oldest ready job is the first of ready1 and ready2, created in one call.
    const created = Math.floor(Number((await h.fields('ready1')).c) / 1000);
    expect(oldestReadyAt).toBe(created);
  });

  it('counts zero everywhere on an empty queue', async () => {
    expect(await h.store.stats()).toEqual({
      stats: {
        pendingJobs: 0, delayedJobs: 0, processingJobs: 0, retryingJobs: 0,
        completedJobs: 0, failedJobs: 0, cancelledJobs: 0,
      },
      paused: false,
      oldestReadyAt: null,
      groupConcurrency: null,
    });
  });

  it('writes nothing: every key is byte-for-byte the same, the due job is not promoted', async () => {
    await seedEveryState();
    const before = await snapshot(h);
    await h.store.stats();
    expect(await snapshot(h)).toEqual(before);
    expect(await h.raw.zscore(h.keys.delayed, 'dueNow')).toBe('1');
  });

  it('runs under FCALL_RO: its function is flagged no-writes, so Redis would refuse a write in it', async () => {
    await seedEveryState();
    expect(((await evalReadOnly(h, 'getStats', [])) as number[]).slice(0, 8)).toEqual([3, 1, 1, 1, 1, 1, 1, 1]);
  });
});
