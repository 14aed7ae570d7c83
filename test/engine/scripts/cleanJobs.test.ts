import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { scriptHarness, snapshot, type Harness } from './harness.js';
import { fcall, finishedJobs } from './ops-fixtures.js';

/** Runs one chunk: status, older than ms, chunk, cutoff, request id. */
const chunk = (h: Harness, ...args: (string | number)[]) => fcall(h, 'cleanJobs', [10_000, ...args]) as Promise<string[]>;

describe('cleanJobs.lua', () => {
  let h: Harness;
  beforeEach(async () => (h = await scriptHarness('cleanJobs')));
  afterEach(() => h.close());

  it('removes the oldest jobs of a status one chunk at a time, records and details with them', async () => {
    const ids = await finishedJobs(h, 'f', 5, 'failed');
    const kept = await finishedJobs(h, 'c', 1, 'completed', 'test', 5);
    const [removed, cutoff, done, total] = await chunk(h, 'failed', 0, 2, '', 'r1');
    expect([removed, done, total]).toEqual(['2', '0', '5']);
    expect(await h.finished('failed')).toEqual(ids.slice(2));
    expect(await h.raw.llen(h.keys.failed)).toBe(3);
    expect(await h.jobCount(...ids.slice(0, 2))).toBe(0);
    expect(await h.raw.hexists(h.keys.details, ids[0]!)).toBe(0);
    expect(await chunk(h, 'failed', 0, 10, cutoff!, 'r2')).toEqual(['3', cutoff, '1', '']);
    expect(await h.raw.exists(h.keys.failed)).toBe(0);
    expect(await h.jobCount(...kept)).toBe(1);
    expect((await h.events()).at(-1)).toEqual({ ev: 'removed', ids: ids.slice(2).join(','), x: 'failed' });
  });

  it('with an age, removes only jobs finished at least that long ago', async () => {
    const old = await finishedJobs(h, 'o', 2, 'completed');
    const oldAt = (await h.fields(old.at(-1)!)).e!;
    await new Promise((resolve) => setTimeout(resolve, 50));
    const young = await finishedJobs(h, 'y', 2, 'completed', 'test', 5);
    const youngAt = (await h.fields(young.at(-1)!)).e!;
    const now = (await h.redisNow()) * 1000;
    // Older than the time between the two batches' finish and now: the old batch alone.
    const olderThan = Math.floor((now - Number(oldAt)) / 1000) - 1;
    expect(now - Number(youngAt)).toBeLessThan(olderThan * 1000);
    const [removed, , done] = await chunk(h, 'completed', olderThan, 100, '', 'r1');
    expect([removed, done]).toEqual(['2', '1']);
    expect(await h.finished('completed')).toEqual(young);
    expect(await h.jobCount(...old)).toBe(0);
  });

  it('a chunk sent again (same request id) gets the first reply and removes nothing more', async () => {
    await finishedJobs(h, 'x', 4, 'cancelled');
    const first = await chunk(h, 'cancelled', 0, 2, '', 'same');
    expect(await chunk(h, 'cancelled', 0, 2, '', 'same')).toEqual(first);
    expect(await h.finished('cancelled')).toHaveLength(2);
  });

  it.each([
    ['a status that is not finished', ['pending', 0, 10, '']],
    ['a negative age', ['failed', -1, 10, '']],
    ['a chunk above 10000', ['failed', 0, 10_001, '']],
  ])('refuses %s and writes nothing', async (_what, args) => {
    await finishedJobs(h, 'f', 2, 'failed');
    const before = await snapshot(h);
    await expect(chunk(h, ...(args as (string | number)[]), 'bad')).rejects.toThrow(/flexq: ARGV/);
    expect(await snapshot(h)).toEqual(before);
  });
});
