import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { newJob, redisClockPast, scriptHarness, snapshot, type Harness } from './harness.js';

describe('pending pages (listPendingSources.lua, countPendingNewer.lua, readPendingEntries.lua)', () => {
  let h: Harness;
  beforeEach(async () => (h = await scriptHarness('pendingPages')));
  afterEach(() => h.close());

  /** Adds one job per call, each at a strictly later Redis time than the one before. */
  async function addInTurn(...jobs: ReturnType<typeof newJob>[]): Promise<void> {
    for (const job of jobs) {
      const reply = (await h.store.addJobs([job])) as { createdAt: number };
      await redisClockPast(h, reply.createdAt);
    }
  }

  it('lists ready jobs of every level and due delayed ones newest first, not those still waiting for their time', async () => {
    await addInTurn(newJob('a'), newJob('b', { priority: 5 }), newJob('c', { delay: 60_000 }), newJob('d', { priority: -1 }), newJob('e', { delay: 60_000 }));
    // c fell due long ago: it lists by its run-at, older than every ready job.
    await h.raw.zadd(h.keys.delayed, 'XX', 1, 'c');
    expect(await h.store.pendingIds(0, 10)).toEqual(['d', 'b', 'a', 'c']);
  });

  it('pages with offset and limit', async () => {
    await addInTurn(newJob('a'), newJob('b', { priority: 5 }), newJob('c'), newJob('d', { priority: 5 }), newJob('e'));
    expect(await h.store.pendingIds(0, 2)).toEqual(['e', 'd']);
    expect(await h.store.pendingIds(2, 2)).toEqual(['c', 'b']);
    expect(await h.store.pendingIds(4, 2)).toEqual(['a']);
    expect(await h.store.pendingIds(6, 2)).toEqual([]);
    expect((await h.store.pendingPage(0, 2)).total).toBe(5);
  });

  it('lists newest first within one level when jobs share a microsecond', async () => {
    await h.store.addJobs([newJob('a'), newJob('b'), newJob('c')]);
    expect(await h.store.pendingIds(0, 2)).toEqual(['c', 'b']);
    expect(await h.store.pendingIds(1, 5)).toEqual(['b', 'a']);
  });

  it('puts a job handed back at the head of its level last: it keeps its place in time', async () => {
    await addInTurn(newJob('a'), newJob('b'));
    const [claimed] = (await h.store.claim(1, 30_000)).jobs;
    await redisClockPast(h, Math.floor(Number(claimed!.fields.e) / 1000));
    await h.store.release([{ id: 'a', token: claimed!.token }]);
    expect(await h.store.pendingIds(0, 10)).toEqual(['b', 'a']);
    expect(await h.store.pendingIds(1, 1)).toEqual(['a']);
  });

  it('lists a job moved by setPriority as newest, and its old place as a tombstone it skips', async () => {
    await addInTurn(newJob('old', { priority: 5 }), newJob('a'), newJob('b'));
    await h.store.setPriority('old', 0);
    expect(await h.raw.lrange(h.ready(5), 0, -1)).toEqual([expect.stringMatching(/^~\d+$/)]);
    expect(await h.store.pendingIds(0, 10)).toEqual(['old', 'b', 'a']);
    expect(await h.store.pendingIds(0, 1)).toEqual(['old']);
  });

  it('turns a cancelled ready job\'s entry into a tombstone of its time, which claims pass by', async () => {
    await h.store.addJobs([newJob('a'), newJob('b'), newJob('c')]);
    await h.store.cancel('b');
    const [, tomb] = await h.raw.lrange(h.ready(0), 0, -1);
    expect(tomb).toBe(`~${(await h.fields('a')).c}`);
    // Offsets count the tombstone's place; the page takes the next job instead.
    expect(await h.store.pendingIds(0, 2)).toEqual(['c', 'a']);
    expect((await h.store.pendingPage(0, 2)).total).toBe(3);
    expect((await h.store.claim(5, 30_000)).jobs.map((j) => j.id)).toEqual(['a', 'c']);
  });

  it('reads on past a run of tombstones longer than one read of a source takes', async () => {
    const ids = Array.from({ length: 40 }, (_, i) => `j${String(i).padStart(2, '0')}`);
    await h.store.addJobs(ids.map((id) => newJob(id)));
    // The newest 25 cancelled: 25 tombstones ahead of the rest, where a page of 3 reads 19 entries at a time.
    for (const id of ids.slice(15)) await h.store.cancel(id);
    expect(await h.store.pendingPage(0, 3)).toEqual({ ids: ['j14', 'j13', 'j12'], total: 40 });
    expect(await h.store.pendingIds(24, 3)).toEqual(['j14', 'j13', 'j12']);
    expect(await h.store.pendingIds(26, 20)).toEqual(ids.slice(0, 14).reverse());
  });

  it('lists levels a slice at a time after the last one seen, so a level leaving meanwhile moves no other out of the listing', async () => {
    await addInTurn(newJob('a', { priority: 5 }), newJob('b', { priority: 3 }), newJob('c', { priority: 1 }));
    const first = (await h.store.call('listPendingSources', ['', '', 1])) as (string | number)[];
    expect(first.slice(1)).toEqual(['5', 1]);
    // A claim that empties level 5 takes it out of the priorities set between two slices.
    await h.raw.zrem(h.keys.priorities, '5');
    const next = (await h.store.call('listPendingSources', [first[0]!, '5', 1])) as (string | number)[];
    expect(next.slice(1)).toEqual(['3', 1]);
    const last = (await h.store.call('listPendingSources', [first[0]!, '3', 5])) as (string | number)[];
    expect(last.slice(1)).toEqual(['1', 1, 'due', 0]);
  });

  it('refuses a count it cannot make sense of, naming the argument', async () => {
    await addInTurn(newJob('a'));
    const now = await h.redisNow();
    expect(await h.store.call('countPendingNewer', [now, 1500, 0, 0, '0', 0, 1])).toEqual([1]);
    await expect(h.store.call('countPendingNewer', [now, 1500, 'soon', 0, '0', 0, 1])).rejects.toThrow(/ARGV\[3\] pivot must be a number/);
    await expect(h.store.call('countPendingNewer', [now, 1500, 0, 'yes', '0', 0, 1])).rejects.toThrow(/ARGV\[4\] must be 1 \(no older\) or 0 \(newer\), got yes/);
    await expect(h.store.call('countPendingNewer', [now, 1500, 0, 0, '0', 0])).rejects.toThrow(/1 to 1,000 triples of source, from, to; got 2 values/);
    await expect(h.store.call('countPendingNewer', [now, 1500, 0, 0])).rejects.toThrow(/1 to 1,000 triples of source, from, to; got 0 values/);
    for (const [from, to] of [['x', 1], [-5, 1], ['nan', 1], [3, 1], [0.5, 1]]) {
      await expect(h.store.call('countPendingNewer', [now, 1500, 0, 0, '0', from!, to!])).rejects.toThrow(/ARGV\[6\.\.7\] ranks must be whole numbers, from no greater than to/);
    }
    await expect(h.store.call('listPendingSources', ['', '', 0])).rejects.toThrow(/ARGV\[3\] levels must be a number from 1 to 1000/);
    await expect(h.store.call('listPendingSources', ['', '', 2.5])).rejects.toThrow(/ARGV\[3\] levels must be a whole number/);
    await expect(h.store.call('listPendingSources', ['', '0.5', 2])).rejects.toThrow(/ARGV\[2\] last level must be an integer, got 0\.5/);
  });

  it('writes nothing', async () => {
    await addInTurn(newJob('a'), newJob('b', { delay: 60_000 }), newJob('c', { priority: 3 }));
    await h.raw.zadd(h.keys.delayed, 'XX', 1, 'b');
    const before = await snapshot(h);
    await h.store.pendingIds(1, 10);
    expect(await snapshot(h)).toEqual(before);
  });
});
