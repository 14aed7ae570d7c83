import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ClaimRequests } from '../../../src/engine/worker-wire.js';
import { newJob, redisClockPast, scriptHarness, type Harness } from './harness.js';

describe('claimJobs.lua under a rate limit', () => {
  let h: Harness;
  beforeEach(async () => (h = await scriptHarness('claimRateLimit')));
  afterEach(() => h.close());
  const starts = () => h.raw.zrange(`${h.keys.base}rateStarts`, 0, -1);

  it('claims no more than the window has room for, and says when it opens', async () => {
    await h.store.setRateLimit(3, 60_000);
    await h.store.addJobs(['a', 'b', 'c', 'd', 'e'].map((id) => newJob(id)));
    const first = await h.store.claim(2, 30_000);
    expect(first.jobs.map((job) => job.id)).toEqual(['a', 'b']);
    expect(first.heldFor).toBe(-1);
    const second = await h.store.claim(5, 30_000);
    expect(second.jobs.map((job) => job.id)).toEqual(['c']);
    expect(second.heldFor).toBeGreaterThan(50_000);
    expect(second.heldFor).toBeLessThanOrEqual(60_000);
    const held = await h.store.claim(5, 30_000);
    expect(held.jobs).toEqual([]);
    expect(held.heldFor).toBeGreaterThan(50_000);
    expect(await starts()).toEqual(['a,1', 'b,1', 'c,1']);
    expect(await h.raw.lrange(h.ready(0), 0, -1)).toEqual(['d', 'e']);
  });

  it('lets jobs start again once the oldest start has left the window', async () => {
    await h.store.setRateLimit(1, 300);
    await h.store.addJobs([newJob('a'), newJob('b')]);
    expect((await h.store.claim(1, 30_000)).jobs.map((job) => job.id)).toEqual(['a']);
    const held = await h.store.claim(1, 30_000);
    expect(held.jobs).toEqual([]);
    expect(held.heldFor).toBeGreaterThan(0);
    await redisClockPast(h, (await h.redisNow()) + held.heldFor);
    expect((await h.store.claim(1, 30_000)).jobs.map((job) => job.id)).toEqual(['b']);
    expect(await starts()).toEqual(['b,1']);
  });

  it('a claim sent again gets its jobs and counts them once', async () => {
    await h.store.setRateLimit(5, 60_000);
    await h.store.addJobs([newJob('a'), newJob('b')]);
    const request = new ClaimRequests('w').next();
    const first = await h.store.claim(2, 30_000, request);
    const again = await h.store.claim(2, 30_000, request);
    expect(again.jobs.map((job) => job.id)).toEqual(first.jobs.map((job) => job.id));
    expect(await starts()).toHaveLength(2);
  });

  it('costs nothing in keys without a limit, and the upkeep-only claim ignores the limit', async () => {
    await h.store.addJobs([newJob('a')]);
    await h.store.claim(1, 30_000);
    expect(await h.raw.exists(`${h.keys.base}rateStarts`)).toBe(0);
    await h.store.setRateLimit(1, 60_000);
    expect((await h.store.claim(0, 30_000)).heldFor).toBe(-1);
  });
});
