import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { claimedJob, newJob, scriptHarness, type Harness } from './harness.js';

describe('setPriority.lua', () => {
  let h: Harness;
  beforeEach(async () => (h = await scriptHarness('setPriority')));
  afterEach(() => h.close());

  it('moves a ready job to the tail of its new level at once, leaving a tombstone in its old place', async () => {
    await h.store.addJobs([newJob('a'), newJob('c'), newJob('b', { priority: 7 })]);
    expect(await h.store.setPriority('a', 7)).toEqual(['OK']);
    expect(await h.fields('a')).toMatchObject({ p: '7' });
    expect(await h.raw.lrange(h.ready(7), 0, -1)).toEqual(['b', 'a']);
    // No LREM: found by its time in O(log n) and overwritten in place.
    expect(await h.raw.lrange(h.ready(0), 0, -1)).toEqual([`~${(await h.fields('c')).c}`, 'c']);
    expect((await h.store.stats()).stats.pendingJobs).toBe(3);
    expect((await h.events()).at(-1)).toEqual({ ev: 'priority', ids: 'a', x: '7' });
    // The tombstone at level 0 is passed by: a runs once, at its new level.
    expect((await h.store.claim(5, 30_000)).jobs.map((j) => j.id)).toEqual(['b', 'a', 'c']);
    expect(await h.raw.exists(h.ready(0), h.ready(7))).toBe(0);
    expect((await h.store.stats()).stats.pendingJobs).toBe(0);
  });

  it('removes the priority field when set back to 0', async () => {
    await h.store.addJobs([newJob('a', { priority: 4 })]);
    await h.store.setPriority('a', 0);
    expect(await h.fields('a')).not.toHaveProperty('p');
    expect(await h.raw.lrange(h.ready(0), 0, -1)).toEqual(['a']);
  });

  it('keeps the place of a ready job whose priority does not change', async () => {
    await h.store.addJobs([newJob('a', { priority: 1 }), newJob('b', { priority: 1 })]);
    await h.store.setPriority('a', 1);
    expect(await h.raw.lrange(h.ready(1), 0, -1)).toEqual(['a', 'b']);
  });

  it('gives a delayed job its new priority when it is due, keeping its run-at', async () => {
    await h.store.addJobs([newJob('d', { delay: 60_000 }), newJob('x', { priority: 5 })]);
    const runAt = await h.raw.zscore(h.keys.delayed, 'd');
    expect(await h.store.setPriority('d', 9)).toEqual(['OK']);
    expect(await h.raw.zscore(h.keys.delayed, 'd')).toBe(runAt);
    expect(await h.raw.exists(h.ready(9))).toBe(0);
    await h.makeDue(h.keys.delayed, 'd');
    expect((await h.store.claim(1, 30_000)).jobs.map((j) => j.id)).toEqual(['d']);
  });

  it('gives a retrying job its new priority for its next attempt', async () => {
    const token = await claimedJob(h, 'a');
    await h.store.finish([{ id: 'a', token, kind: 'retrying', value: 'boom', retryDelay: 60_000 }]);
    await h.store.addJobs([newJob('x', { priority: 5 })]);
    expect(await h.store.setPriority('a', 6)).toEqual(['OK']);
    await h.makeDue(h.keys.retrying, 'a');
    expect((await h.store.claim(1, 30_000)).jobs.map((j) => j.id)).toEqual(['a']);
  });

  it('answers NOT_FOUND for an unknown id and writes nothing', async () => {
    expect(await h.store.setPriority('nope', 3)).toEqual(['NOT_FOUND']);
    expect((await h.jobCount('nope')) + (await h.raw.exists(h.keys.priorities, h.keys.events))).toBe(0);
  });

  it.each(['processing', 'completed'] as const)('answers BAD_STATE for a %s job and leaves it as it was', async (status) => {
    const token = await claimedJob(h, 'a');
    if (status === 'completed') await h.store.finish([{ id: 'a', token, kind: 'completed', value: '', retryDelay: 0 }]);
    const before = { fields: await h.fields('a'), events: await h.raw.xlen(h.keys.events) };
    expect(await h.store.setPriority('a', 3)).toEqual(['BAD_STATE', status]);
    expect(await h.fields('a')).toEqual(before.fields);
    expect(await h.raw.exists(h.ready(3))).toBe(0);
    expect(await h.raw.xlen(h.keys.events)).toBe(before.events);
  });
});
