/**
 * Deep pages against an oracle: every page of a small queue (several levels, tombstones, jobs put
 * back at the head, due delayed jobs) is compared with a full sort of every entry, made here apart
 * from the scripts' search.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { newJob, redisClockPast, scriptHarness, type Harness } from './harness.js';
import type { EncodedJob } from '../../../src/engine/codec.js';

interface OracleEntry { entry: string; time: number; order: number; rank: number; shown: boolean }

describe('pending pages at every offset', () => {
  let h: Harness;
  beforeEach(async () => (h = await scriptHarness('pendingDeep')));
  afterEach(() => h.close());

  async function add(...jobs: EncodedJob[]): Promise<number> {
    const { createdAt } = (await h.store.addJobs(jobs)) as { createdAt: number };
    await redisClockPast(h, createdAt);
    return createdAt;
  }

  /** Every entry of the pending sources, newest first, sorted here by (time, level, place). */
  async function oracle(): Promise<OracleEntry[]> {
    const levels = (await h.raw.zrange(h.keys.priorities, 0, -1)).map(Number).sort((a, b) => b - a);
    const all: OracleEntry[] = [];
    for (const [order, level] of levels.entries()) {
      const newestFirst = (await h.raw.lrange(h.ready(level), 0, -1)).reverse();
      const stored = await h.store.jobs(newestFirst.filter((e) => !e.startsWith('~')));
      const byId = new Map(stored.map((s, i) => [newestFirst.filter((e) => !e.startsWith('~'))[i]!, s.fields]));
      newestFirst.forEach((entry, rank) => {
        if (entry.startsWith('~')) return all.push({ entry, time: Number(entry.slice(1)), order, rank, shown: false });
        const f = byId.get(entry)!;
        // The scenario leaves no stale entry: every id entry is a ready job of its level.
        expect(f).toMatchObject({ s: 'pending' });
        expect(Number(f!.p ?? 0)).toBe(level);
        all.push({ entry, time: Number(f!.e || f!.c), order, rank, shown: true });
      });
    }
    const due = await h.raw.zrangebyscore(h.keys.delayed, '-inf', await h.redisNow(), 'WITHSCORES');
    for (let i = due.length - 2, rank = 0; i >= 0; i -= 2, rank++) {
      all.push({ entry: due[i]!, time: Number(due[i + 1]) * 1000, order: levels.length, rank, shown: true });
    }
    return all.sort((a, b) => b.time - a.time || a.order - b.order || a.rank - b.rank);
  }

  function expectedPage(all: OracleEntry[], offset: number, limit: number): string[] {
    return all.slice(offset).filter((e) => e.shown).slice(0, limit).map((e) => e.entry);
  }

  it('matches a full sort at every offset and limit, across levels, tombstones, recovered, handed-back and due delayed jobs', async () => {
    const t1 = await add(newJob('a1'), newJob('a2', { priority: 5 }), newJob('a3', { priority: 2 }), newJob('a4'), newJob('a5', { priority: 5 }));
    await add(newJob('b1', { priority: 2 }), newJob('b2', { priority: 2 }), newJob('b3', { priority: 2 }));
    await add(newJob('c1', { priority: 5 }));
    const t4 = await add(newJob('d1'), newJob('d2', { priority: -3 }), newJob('d3'), newJob('d4', { priority: 5 }));
    // Two leases that run out: recovered to the head of their levels by the next claim's upkeep.
    const lost = await h.store.claim(2, 1);
    expect(lost.jobs.map((j) => j.id)).toEqual(['a2', 'a5']);
    await redisClockPast(h, (await h.redisNow()) + 2);
    // One handed back at once: to the head of its level too.
    const held = await h.store.claim(1, 30_000);
    expect(held.jobs.map((j) => j.id)).toEqual(['a2']);
    await h.store.release([{ id: 'a2', token: held.jobs[0]!.token }]);
    await add(newJob('e1'), newJob('e2', { priority: 2 }));
    // Cancelled and moved ready jobs leave tombstones.
    await h.store.cancel('b2');
    await h.store.cancel('d3');
    await h.store.setPriority('a3', 5);
    // Delayed jobs, two of them due at times among the ready ones, one still waiting.
    await add(newJob('f1', { delay: 60_000 }), newJob('f2', { delay: 60_000 }), newJob('f3', { delay: 60_000 }));
    await h.raw.zadd(h.keys.delayed, 'XX', t1, 'f1', t4, 'f2');

    const all = await oracle();
    expect(all.filter((e) => !e.shown)).toHaveLength(3);
    expect(all.map((e) => e.entry)).toContain('f1');
    expect(all.map((e) => e.entry)).not.toContain('f3');
    for (const limit of [1, 2, 3, 5, 20]) {
      for (let offset = 0; offset <= all.length; offset++) {
        expect([offset, limit, await h.store.pendingIds(offset, limit)]).toEqual([offset, limit, expectedPage(all, offset, limit)]);
      }
    }
    // With no time budget, each call counts one source and hands its state back: the same pages.
    for (let offset = 0; offset <= all.length; offset++) {
      expect([offset, (await h.store.pendingPage(offset, 3, 0)).ids]).toEqual([offset, expectedPage(all, offset, 3)]);
    }
    expect((await h.store.pendingPage(0, 1)).total).toBe(all.length);
    // Paging on by the limit misses no job.
    const paged = new Set<string>();
    for (let offset = 0; offset < all.length; offset += 3) for (const id of await h.store.pendingIds(offset, 3)) paged.add(id);
    expect([...paged].sort()).toEqual(all.filter((e) => e.shown).map((e) => e.entry).sort());
  });

  it('finds a cancelled job\'s entry in a large group of one call by its id', async () => {
    const ids = Array.from({ length: 4_500 }, (_, i) => `g${String(i).padStart(5, '0')}`);
    await add(...ids.map((id) => newJob(id)));
    await h.store.cancel('g03333');
    expect(await h.raw.lindex(h.ready(0), 3333)).toMatch(/^~\d+$/);
    expect(await h.raw.llen(h.ready(0))).toBe(4_500);
    expect(await h.store.pendingIds(4_500 - 3_334, 2)).toEqual(['g03332', 'g03331']);
    expect(await h.store.pendingIds(4_500 - 3_335, 2)).toEqual(['g03334', 'g03332']);
  });
});
