import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { evalReadOnly, newJob, redisClockPast, scriptHarness, snapshot, type Harness } from './harness.js';

describe('listPendingJobs.lua', () => {
  let h: Harness;
  beforeEach(async () => (h = await scriptHarness('listPendingJobs')));
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
    await h.raw.zadd(h.keys.delayed, 'XX', 1, 'c');
    expect(await h.store.pendingIds(0, 10)).toEqual(['d', 'c', 'b', 'a']);
  });

  it('pages with offset and limit', async () => {
    await addInTurn(newJob('a'), newJob('b', { priority: 5 }), newJob('c'), newJob('d', { priority: 5 }), newJob('e'));
    expect(await h.store.pendingIds(0, 2)).toEqual(['e', 'd']);
    expect(await h.store.pendingIds(2, 2)).toEqual(['c', 'b']);
    expect(await h.store.pendingIds(4, 2)).toEqual(['a']);
    expect(await h.store.pendingIds(6, 2)).toEqual([]);
  });

  it('lists newest first within one level when jobs share a millisecond', async () => {
    await h.store.addJobs([newJob('a'), newJob('b'), newJob('c')]);
    expect(await h.store.pendingIds(0, 2)).toEqual(['c', 'b']);
  });

  it('puts a job handed back to the queue first: it entered pending last', async () => {
    await addInTurn(newJob('a'), newJob('b'));
    const [claimed] = (await h.store.claim(1, 30_000)).jobs;
    await redisClockPast(h, Math.floor(Number(claimed!.fields.e) / 1000));
    await h.store.release([{ id: 'a', token: claimed!.token }]);
    expect(await h.store.pendingIds(0, 10)).toEqual(['a', 'b']);
    expect(await h.store.pendingIds(0, 1)).toEqual(['a']);
  });

  it('lists a job moved by setPriority as newest: it re-entered the queue at the tail', async () => {
    await addInTurn(newJob('old', { priority: 5 }), newJob('a'), newJob('b'));
    await h.store.setPriority('old', 0);
    expect(await h.store.pendingIds(0, 10)).toEqual(['old', 'b', 'a']);
    expect(await h.store.pendingIds(0, 1)).toEqual(['old']);
  });

  it('writes nothing, and runs under FCALL_RO', async () => {
    await addInTurn(newJob('a'), newJob('b', { delay: 60_000 }));
    await h.raw.zadd(h.keys.delayed, 'XX', 1, 'b');
    const before = await snapshot(h);
    await h.store.pendingIds(0, 10);
    expect(await snapshot(h)).toEqual(before);
    expect(await evalReadOnly(h, 'listPendingJobs', [0, 10])).toEqual(['b', 'a']);
  });
});
