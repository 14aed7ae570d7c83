import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { claimedJob, newJob, redisClockPast, scriptHarness, type Harness } from './harness.js';

describe('cancelJob.lua', () => {
  let h: Harness;
  beforeEach(async () => (h = await scriptHarness('cancelJob')));
  afterEach(() => h.close());

  async function expectCancelled(id: string): Promise<void> {
    const fields = await h.fields(id);
    expect(fields).toMatchObject({ s: 'cancelled' });
    expect(fields).not.toHaveProperty('r');
    expect(await h.finishedTimes('cancelled')).toEqual([[id, Number(fields.e)]]);
  }

  it('takes a ready job out of the queue without LREM: its entry becomes a tombstone of its time, and claims pass it by', async () => {
    await h.store.addJobs([newJob('a', { priority: 3 }), newJob('b')]);
    const created = (await h.fields('a')).c;
    expect(await h.store.cancel('a')).toEqual(['OK', 'pending']);
    await expectCancelled('a');
    // O(log n): found by a binary search over its list's times, overwritten in place until a claim meets it.
    expect(await h.raw.lrange(h.ready(3), 0, -1)).toEqual([`~${created}`]);
    expect((await h.store.stats()).stats.pendingJobs).toBe(1);
    expect(await h.store.pendingIds(0, 10)).toEqual(['b']);
    expect((await h.events()).at(-1)).toEqual({ ev: 'cancelled', ids: 'a', x: 'pending' });
    // One claim of one job drops the stale entry and the emptied level, and takes b.
    expect((await h.store.claim(1, 30_000)).jobs.map((j) => j.id)).toEqual(['b']);
    expect(await h.raw.exists(h.ready(3))).toBe(0);
    await expectCancelled('a');
    expect((await h.store.stats()).stats.pendingJobs).toBe(0);
  });

  it('answers a resent request as the first, also when retention deleted the job in that call', async () => {
    await h.store.addJobs([newJob('a'), newJob('b')]);
    // Retention keeping no cancelled job: the first call deletes what it cancelled.
    const args = (id: string, request: string) => [100, id, 604_800_000, 0, 100, request];
    expect(await h.store.call('cancelJob', args('a', 'rq-a'))).toEqual(['OK', 'pending']);
    expect(await h.raw.hexists(h.keys.jobs, 'a')).toBe(0);
    expect(await h.store.call('cancelJob', args('a', 'rq-a'))).toEqual(['OK', 'pending']);
    // Kept: the resend changes nothing.
    expect(await h.store.call('cancelJob', [100, 'b', 604_800_000, 10, 100, 'rq-b'])).toEqual(['OK', 'pending']);
    const before = await h.fields('b');
    expect(await h.store.call('cancelJob', [100, 'b', 604_800_000, 10, 100, 'rq-b'])).toEqual(['OK', 'pending']);
    expect(await h.fields('b')).toEqual(before);
    expect(await h.finishedTimes('cancelled')).toHaveLength(1);
    // Another request for the finished job is refused as before.
    expect(await h.store.call('cancelJob', [100, 'b', 604_800_000, 10, 100, 'rq-c'])).toEqual(['BAD_STATE', 'cancelled']);
  });

  it('takes a delayed job out of the delayed set', async () => {
    await h.store.addJobs([newJob('d', { delay: 60_000 })]);
    expect(await h.store.cancel('d')).toEqual(['OK', 'pending']);
    await expectCancelled('d');
    expect(await h.raw.zcard(h.keys.delayed)).toBe(0);
  });

  it('takes a retrying job out of the retrying set', async () => {
    const token = await claimedJob(h, 'a');
    await h.store.finish([{ id: 'a', token, kind: 'retrying', value: 'boom', retryDelay: 60_000 }]);
    expect(await h.store.cancel('a')).toEqual(['OK', 'retrying']);
    await expectCancelled('a');
    expect(await h.raw.zcard(h.keys.retrying)).toBe(0);
  });

  it('cancels a running job, so its lease is gone and its late outcome is stale', async () => {
    const token = await claimedJob(h, 'a');
    expect(await h.store.cancel('a')).toEqual(['OK', 'processing']);
    await expectCancelled('a');
    expect(await h.running()).toHaveLength(0);
    expect(await h.store.extendLeases([{ id: 'a', token }], 30_000)).toEqual([{ id: 'a', token }]);
    expect(await h.store.finish([{ id: 'a', token, kind: 'completed', value: '', retryDelay: 0 }])).toEqual([false]);
  });

  it('answers NOT_FOUND for an unknown id and writes nothing', async () => {
    expect(await h.store.cancel('nope')).toEqual(['NOT_FOUND']);
    expect((await h.jobCount('nope')) + (await h.raw.exists(h.keys.cancelled, h.keys.events))).toBe(0);
  });

  it.each(['completed', 'failed', 'cancelled'] as const)('answers BAD_STATE for a %s job and leaves it as it was', async (status) => {
    const token = await claimedJob(h, 'a');
    if (status === 'cancelled') await h.store.cancel('a');
    else await h.store.finish([{ id: 'a', token, kind: status, value: '', retryDelay: 0 }]);
    const before = { fields: await h.fields('a'), events: await h.raw.xlen(h.keys.events) };
    expect(await h.store.cancel('a')).toEqual(['BAD_STATE', status]);
    expect(await h.fields('a')).toEqual(before.fields);
    expect(await h.raw.xlen(h.keys.events)).toBe(before.events);
  });

  it('keeps at most the configured count of cancelled jobs', async () => {
    const tight = h.storeWith({ keepFailed: { age: 3_600_000, count: 2 } });
    await h.store.addJobs([newJob('a'), newJob('b'), newJob('c')]);
    for (const id of ['a', 'b', 'c']) {
      await tight.cancel(id);
      await redisClockPast(h, Math.floor(Number((await h.fields(id)).e) / 1000));
    }
    expect(await h.finished('cancelled')).toEqual(['b', 'c']);
    expect(await h.raw.llen(h.keys.cancelled)).toBe(2);
    expect(await h.jobCount('a')).toBe(0);
  });

  it('drops cancelled jobs older than the configured age', async () => {
    await h.store.addJobs([newJob('old'), newJob('new')]);
    await h.store.cancel('old');
    await h.backdateFinished('cancelled', 'old', ((await h.redisNow()) - 120_000) * 1000);
    await h.storeWith({ keepFailed: { age: 60_000, count: 1_000 } }).cancel('new');
    expect(await h.finished('cancelled')).toEqual(['new']);
    expect(await h.raw.llen(h.keys.cancelled)).toBe(1);
    expect(await h.jobCount('old')).toBe(0);
  });
});
