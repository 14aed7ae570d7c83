/** Totals and per-minute history (lua/includes/history.lua), kept by the scripts that finish jobs. */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { claimedJob, scriptHarness, type Harness } from './harness.js';
import { finishedJobs } from './ops-fixtures.js';

describe('totals and history', () => {
  let h: Harness;
  beforeEach(async () => (h = await scriptHarness('history', { keepCompleted: { age: 3_600_000, count: 1 } })));
  afterEach(() => h.close());

  const minuteNow = async () => Math.floor((await h.redisNow()) / 60_000);

  it('counts completed and failed jobs per call, in the totals and in this minute, and retention lowers neither', async () => {
    await finishedJobs(h, 'c', 3, 'completed');
    await finishedJobs(h, 'f', 2, 'failed', 'test', 5);
    const minute = await minuteNow();
    expect(await h.raw.hmget(h.keys.totals, 'completed', 'failed')).toEqual(['3', '2']);
    expect(await h.finished('completed')).toHaveLength(1); // retention kept one
    const stored = await h.raw.hget(h.keys.totals, `m${minute % 1440}`);
    // The two calls may straddle a minute; then this minute holds the failures alone.
    expect([`${minute}|3|2`, `${minute}|0|2`]).toContain(stored);
  });

  it('an outcome sent again is not counted twice', async () => {
    const token = await claimedJob(h, 'a');
    const outcome = { id: 'a', token, kind: 'completed' as const, value: '', retryDelay: 0 };
    await h.store.finish([outcome]);
    await h.store.finish([outcome]);
    expect(await h.raw.hget(h.keys.totals, 'completed')).toBe('1');
  });

  it('a field of the same minute a day earlier is overwritten, not added to', async () => {
    const minute = await minuteNow();
    await h.raw.hset(h.keys.totals, `m${minute % 1440}`, `${minute - 1440}|50|50`);
    await finishedJobs(h, 'c', 1, 'completed');
    const after = await minuteNow();
    if (after !== minute) return; // the minute turned meanwhile: nothing to check this run
    expect(await h.raw.hget(h.keys.totals, `m${minute % 1440}`)).toBe(`${minute}|1|0`);
  });

  it('a job whose last attempt lost its worker counts as failed', async () => {
    await claimedJob(h, 'a', { maxAttempts: 1 }, 1);
    await new Promise((resolve) => setTimeout(resolve, 10));
    await h.store.claim(0, 30_000);
    expect(await h.raw.hget(h.keys.totals, 'failed')).toBe('1');
  });
});
