/**
 * Fair groups at the script level: a grouped job waits in its group's lane, claims take the lanes
 * in turn, and every path that puts a job back (hand-back, lease recovery, retry, promotion) or
 * takes it out (cancel) uses its lane, never the lane of jobs without a group.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { newJob, scriptHarness, type Harness } from './harness.js';

describe('fair groups in the scripts', () => {
  let h: Harness;
  beforeEach(async () => (h = await scriptHarness('groups')));
  afterEach(() => h.close());

  const lane = (group: string, priority = 0) => `${h.keys.base}gready:${group}:${priority}`;
  const turns = async () => h.raw.zrange(`${h.keys.base}groupTurns`, 0, -1);
  const claimIds = async (n: number, leaseMs = 30_000) => (await h.store.claim(n, leaseMs)).jobs.map((job) => job.id);

  it('files a grouped job in its lane, with the lanes in the turns, and the rest as before', async () => {
    await h.store.addJobs([newJob('a1', { group: 'a' }), newJob('p1'), newJob('a2', { group: 'a', priority: 3 })]);
    expect(await h.raw.lrange(lane('a'), 0, -1)).toEqual(['a1']);
    expect(await h.raw.lrange(lane('a', 3), 0, -1)).toEqual(['a2']);
    expect(await h.raw.zrange(`${h.keys.base}gpriorities:a`, 0, -1)).toEqual(['0', '3']);
    expect(await h.raw.lrange(h.ready(0), 0, -1)).toEqual(['p1']);
    expect(await turns()).toEqual(['', 'a']);
    expect(await h.raw.get(`${h.keys.base}readyCount`)).toBe('3');
  });

  it('claims one job per lane in turn, and a dry group leaves the turns', async () => {
    await h.store.addJobs(['a1', 'a2', 'a3'].map((id) => newJob(id, { group: 'a' })));
    await h.store.addJobs([newJob('b1', { group: 'b' })]);
    await h.store.addJobs([newJob('p1')]);
    expect(await claimIds(4)).toEqual(['p1', 'a1', 'b1', 'a2']);
    // b's lane is empty now; the claim that finds it so takes it out of the turns.
    expect(await claimIds(4)).toEqual(['a3']);
    expect(await turns()).toEqual(['']);
    expect(await claimIds(4)).toEqual([]);
    // A group whose jobs come back enters the turns again.
    await h.store.addJobs([newJob('b2', { group: 'b' })]);
    expect(await turns()).toContain('b');
    expect(await claimIds(1)).toEqual(['b2']);
  });

  it('hands a claimed grouped job back to the head of its lane', async () => {
    await h.store.addJobs([newJob('a1', { group: 'a' }), newJob('a2', { group: 'a' })]);
    const [claimed] = (await h.store.claim(1, 30_000)).jobs;
    expect(claimed!.id).toBe('a1');
    expect(await h.store.release([{ id: 'a1', token: claimed!.token }])).toBe(1);
    expect(await h.raw.lrange(lane('a'), 0, -1)).toEqual(['a1', 'a2']);
    expect(await h.raw.llen(h.ready(0))).toBe(0);
  });

  it('recovers an expired grouped lease to the head of its lane', async () => {
    await h.store.addJobs([newJob('a1', { group: 'a' }), newJob('a2', { group: 'a' })]);
    expect(await claimIds(1)).toEqual(['a1']);
    await h.makeDue(h.keys.active, 'a1');
    await h.store.claim(0, 30_000);
    expect(await h.raw.lrange(lane('a'), 0, -1)).toEqual(['a1', 'a2']);
    expect(await h.fields('a1')).toMatchObject({ s: 'pending' });
  });

  it('leaves a tombstone in the lane on cancel and re-files a retried job there', async () => {
    await h.store.addJobs([newJob('a1', { group: 'a' }), newJob('a2', { group: 'a' })]);
    await h.store.cancel('a1');
    const [first] = await h.raw.lrange(lane('a'), 0, 0);
    expect(first).toMatch(/^~\d+$/);
    expect(await claimIds(2)).toEqual(['a2']);
    await h.store.retry('a1');
    expect(await h.raw.lrange(lane('a'), 0, -1)).toEqual(['a1']);
    expect(await claimIds(2)).toEqual(['a1']);
  });

  it('promotes a due delayed grouped job into its lane', async () => {
    await h.store.addJobs([newJob('a1', { group: 'a', delay: 60_000 })]);
    expect(await h.raw.llen(lane('a'))).toBe(0);
    await h.makeDue(h.keys.delayed, 'a1');
    expect(await claimIds(1)).toEqual(['a1']);
  });

  it('lists grouped ready jobs by the time they became ready, and drops them when claimed or cancelled', async () => {
    const listed = async () => h.raw.zrange(`${h.keys.base}groupedPending`, 0, -1);
    await h.store.addJobs([newJob('a1', { group: 'a' }), newJob('b1', { group: 'b' }), newJob('p1')]);
    expect(await listed()).toEqual(['a1', 'b1']);
    await h.store.cancel('b1');
    expect(await listed()).toEqual(['a1']);
    const [a1] = (await h.store.claim(5, 30_000)).jobs.filter((job) => job.id === 'a1');
    expect(await listed()).toEqual([]);
    // Handed back, it is listed again at the time it was put back with, not as new.
    await h.store.addJobs([newJob('a2', { group: 'a' })]);
    await h.store.release([{ id: 'a1', token: a1!.token }]);
    expect(await listed()).toEqual(['a1', 'a2']);
    const stats = await h.store.stats();
    expect(stats.oldestReadyAt).toBe(Math.floor(Number(await h.raw.zscore(`${h.keys.base}groupedPending`, 'a1')) / 1000));
  });

  it('sweeps lanes left empty a bounded number per claim, leaving a wake marker for the rest', async () => {
    const ids = Array.from({ length: 300 }, (_, n) => `c${n}`);
    await h.store.addJobs(ids.map((id) => newJob(id, { group: id })));
    for (const id of ids) await h.store.cancel(id);
    await h.store.addJobs([newJob('late', { group: 'zz-late' })]);
    await h.raw.del(h.keys.wake);
    expect(await claimIds(1)).toEqual([]);
    // One claim of one job looks at 102 lanes at most: the rest stay for the next claims.
    expect((await turns()).length).toBeGreaterThan(150);
    expect(await h.raw.lrange(h.keys.wake, 0, -1)).toEqual(['1']);
    const found: string[] = [];
    for (let n = 0; n < 5 && found.length === 0; n++) found.push(...await claimIds(1));
    expect(found).toEqual(['late']);
  });

  it('ends the turns once only jobs without a group are left and none of a group runs', async () => {
    await h.store.addJobs([newJob('a1', { group: 'a' }), newJob('p1'), newJob('p2'), newJob('p3')]);
    const first = (await h.store.claim(2, 30_000)).jobs;
    expect(first.map((job) => job.id)).toEqual(['p1', 'a1']);
    // a1 runs: the turns stay while it does.
    expect(await claimIds(1)).toEqual(['p2']);
    expect(await h.raw.exists(`${h.keys.base}groupTurn`)).toBe(1);
    const a1 = first.find((job) => job.id === 'a1')!;
    await h.store.finish([{ id: 'a1', token: a1.token, kind: 'completed', value: '', retryDelay: 0 }]);
    expect(await claimIds(5)).toEqual(['p3']);
    expect(await h.raw.exists(`${h.keys.base}groupTurn`, `${h.keys.base}groupTurns`)).toBe(0);
    // A grouped job turns them on again.
    await h.store.addJobs([newJob('b1', { group: 'b' }), newJob('p4')]);
    expect(await claimIds(5)).toEqual(['p4', 'b1']);
  });

  describe('with a cap on each group', () => {
    const claimed = async (n: number) => (await h.store.claim(n, 30_000)).jobs;
    const running = async () => h.raw.hgetall(`${h.keys.base}groupRunning`);

    it('holds a group at its cap while other lanes go on, and lets it back as a job of it finishes', async () => {
      await h.store.setGroupConcurrency(1);
      await h.store.addJobs(['a1', 'a2', 'a3'].map((id) => newJob(id, { group: 'a' })));
      await h.store.addJobs(['b1', 'b2'].map((id) => newJob(id, { group: 'b' })));
      const first = await claimed(10);
      expect(first.map((job) => job.id)).toEqual(['a1', 'b1']);
      expect(await running()).toEqual({ a: '1', b: '1' });
      expect(await claimed(10)).toEqual([]);
      expect(await h.raw.smembers(`${h.keys.base}groupsHeld`)).toEqual(expect.arrayContaining(['a', 'b']));
      const a1 = first.find((job) => job.id === 'a1')!;
      await h.store.finish([{ id: 'a1', token: a1.token, kind: 'completed', value: '', retryDelay: 0 }]);
      expect(await running()).toEqual({ b: '1' });
      expect((await claimed(10)).map((job) => job.id)).toEqual(['a2']);
    });

    it('does not hold a group at its cap for a cancelled job left at the head of its lane', async () => {
      await h.store.setGroupConcurrency(1);
      await h.store.addJobs(['g1', 'g2', 'g3'].map((id) => newJob(id, { group: 'g' })));
      await h.store.cancel('g1');
      expect((await claimed(1)).map((job) => job.id)).toEqual(['g2']);
      // The same through an outcome that claims: g2 completes, and g3 follows at once.
      const [g3] = (await h.store.claim(0, 30_000)).jobs;
      expect(g3).toBeUndefined();
      const token = (await h.fields('g2'))['q']!;
      const [, reply] = await h.store.finishAndClaim([{ id: 'g2', token, kind: 'completed', value: '', retryDelay: 0 }], 1, 30_000);
      expect(reply.jobs.map((job) => job.id)).toEqual(['g3']);
      expect(await h.raw.smembers(`${h.keys.base}groupsHeld`)).toEqual([]);
    });

    it('counts a job out of its group on cancel, hand-back, lease recovery and a failed attempt', async () => {
      await h.store.setGroupConcurrency(1);
      await h.store.addJobs(['a1', 'a2', 'a3', 'a4', 'a5'].map((id) => newJob(id, { group: 'a', maxAttempts: 1 })));
      const take = async (id: string) => {
        const [job] = await claimed(5);
        expect(job?.id).toBe(id);
        expect(await claimed(5)).toEqual([]);
        return job!;
      };
      await take('a1');
      await h.store.cancel('a1');
      const a2 = await take('a2');
      expect(await h.store.release([{ id: 'a2', token: a2.token }])).toBe(1);
      await take('a2');
      await h.makeDue(h.keys.active, 'a2');
      await h.store.claim(0, 30_000);
      expect(await h.fields('a2')).toMatchObject({ s: 'failed' });
      const a3 = await take('a3');
      await h.store.finish([{ id: 'a3', token: a3.token, kind: 'failed', value: 'boom', retryDelay: 0 }]);
      await take('a4');
      expect(await running()).toEqual({ a: '1' });
    });

    it('lifts the cap with 0, and a resend changes nothing', async () => {
      expect(await h.store.setGroupConcurrency(2)).toBe(true);
      expect(await h.store.setGroupConcurrency(2)).toBe(false);
      expect((await h.store.stats()).groupConcurrency).toBe(2);
      expect(await h.store.setGroupConcurrency(0)).toBe(true);
      expect((await h.store.stats()).groupConcurrency).toBeNull();
      await expect(h.store.setGroupConcurrency(1.5)).rejects.toThrow(/whole number/);
    });
  });
});
