/**
 * Finished lists (lua/includes/finished.lua): a retried or removed job leaves its entry behind,
 * stale; counts stay exact, trimming and clean pop such entries without touching the job, and a
 * job that finishes again is kept, listed and counted once.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { pageOfJobs } from '../../../src/engine/job-lists.js';
import { claimedJob, redisClockPast, scriptHarness, type Harness } from './harness.js';
import { fcall, finishedJobs } from './ops-fixtures.js';

/** Fails `id` for good now; claimed at a priority above the retried jobs (0) a test leaves waiting. */
async function failNow(h: Harness, id: string, store = h.store, priority = 9): Promise<void> {
  const token = await claimedJob(h, id, { priority });
  await store.finish([{ id, token, kind: 'failed', value: 'boom', retryDelay: 0 }]);
  await redisClockPast(h, Math.floor(Number((await h.fields(id)).e) / 1000));
}

describe('finished lists', () => {
  let h: Harness;
  beforeEach(async () => (h = await scriptHarness('finishedLists')));
  afterEach(() => h.close());

  it('a job retried and failed again is kept, counted and listed once, at its new place', async () => {
    await failNow(h, 'b');
    await failNow(h, 'a');
    expect(await h.store.retry('a')).toEqual(['OK']);
    expect((await h.store.stats()).stats.failedJobs).toBe(1);
    await failNow(h, 'a');
    // Its old entry stays behind 'b' (live, at the head) until trimming reaches it.
    expect(await h.raw.llen(h.keys.failed)).toBe(3);
    expect(await h.finished('failed')).toEqual(['b', 'a']);
    expect((await h.store.stats()).stats.failedJobs).toBe(2);
    const page = await pageOfJobs('q', [h.store], 'failed', { offset: 0, limit: 10 }, true);
    expect(page.jobs.map((job) => job.id)).toEqual(['a', 'b']);
    expect(page.total).toBe(3); // entries: where the offsets run
  });

  it('trimming pops a stale entry at the head without touching its job, which waits to run again', async () => {
    await failNow(h, 'a', h.store, 0);
    await failNow(h, 'b');
    expect(await h.store.retry('a')).toEqual(['OK']);
    await failNow(h, 'c', h.storeWith({ keepFailed: { age: 3_600_000, count: 1 } }));
    // 'a' is pending: its old entry went without a deletion, and 'b' made room for 'c'.
    expect(await h.fields('a')).toMatchObject({ s: 'pending' });
    expect(await h.jobCount('b')).toBe(0);
    expect(await h.raw.lrange(h.keys.failed, 0, -1)).toEqual([expect.stringMatching(/,c$/)]);
    expect((await h.store.stats()).stats.failedJobs).toBe(1);
    expect((await h.store.claim(5, 30_000)).jobs.map((job) => job.id)).toEqual(['a']);
  });

  it('age retention trims on its own clock: the head time the scripts keep only spares them reads', async () => {
    const brief = h.storeWith({ keepCompleted: { age: 50, count: 1_000 } });
    for (const id of ['a', 'b']) {
      const token = await claimedJob(h, id);
      await brief.finish([{ id, token, kind: 'completed', value: '', retryDelay: 0 }]);
      expect(await h.finished('completed')).toEqual([id]);
      await redisClockPast(h, Math.floor(Number((await h.fields(id)).e) / 1000) + 60);
    }
    expect(await h.jobCount('a')).toBe(0);
  });

  it('a second outcome for one job in the same call is refused, so the job is filed and counted once', async () => {
    const token = await claimedJob(h, 'a');
    const outcome = { id: 'a', token, kind: 'failed' as const, value: 'boom', retryDelay: 0 };
    // Completions without a result go first (packed): that one is recorded, the failures are not.
    expect(await h.store.finish([outcome, outcome, { ...outcome, kind: 'completed', value: '' }])).toEqual([false, false, true]);
    expect(await h.raw.llen(h.keys.completed)).toBe(1);
    expect(await h.raw.exists(h.keys.failed)).toBe(0);
    expect((await h.store.stats()).stats).toMatchObject({ failedJobs: 0, completedJobs: 1 });
    const other = await claimedJob(h, 'b');
    const failure = { id: 'b', token: other, kind: 'failed' as const, value: 'boom', retryDelay: 0 };
    expect(await h.store.finish([failure, failure])).toEqual([true, false]);
    expect(await h.finished('failed')).toEqual(['b']);
    expect(await h.raw.llen(h.keys.failed)).toBe(1);
    expect((await h.store.stats()).stats.failedJobs).toBe(1);
  });

  it('jobs removed as soon as they finish leave no entries behind, whatever the count kept', async () => {
    for (let i = 0; i < 30; i++) {
      const id = `j${i}`;
      const token = await claimedJob(h, id);
      await h.store.finish([{ id, token, kind: 'completed', value: '', retryDelay: 0 }]);
      await fcall(h, 'removeJob', [10_000, id, `r-${id}`]);
    }
    // Each finish pops the stale entries at the head: the last removal's alone is left.
    expect(await h.raw.llen(h.keys.completed)).toBe(1);
    expect((await h.store.stats()).stats.completedJobs).toBe(0);
  });

  it('a page reads past a long run of stale entries to the jobs before them', async () => {
    const older = await finishedJobs(h, 'o', 3, 'completed');
    const newer = await finishedJobs(h, 'n', 40, 'completed', 'test', 5);
    // Removed newest first, so that every removal leaves its entry behind the live 'o' jobs at the head.
    for (const id of newer.reverse()) await fcall(h, 'removeJob', [10_000, id, `r-${id}`]);
    expect(await h.raw.llen(h.keys.completed)).toBe(43);
    const page = await pageOfJobs('q', [h.store], 'completed', { offset: 0, limit: 2 }, true);
    expect(page.jobs.map((job) => job.id)).toEqual([older[2], older[1]]);
  });

  it('a count above the entries (a fault) has trimming read every record: a job waiting again is never taken for kept', async () => {
    await failNow(h, 'a', h.store, 0);
    expect(await h.store.retry('a')).toEqual(['OK']);
    await h.raw.hset(h.keys.totals, 'kept:failed', 5);
    const token = await claimedJob(h, 'b', { priority: 9 });
    await h.storeWith({ keepFailed: { age: 3_600_000, count: 1 } }).finish([{ id: 'b', token, kind: 'failed', value: 'x', retryDelay: 0 }]);
    // Over its count (as it believes), trimming took 'b', a live job, and passed 'a''s stale entry by.
    expect(await h.jobCount('b')).toBe(0);
    expect(await h.fields('a')).toMatchObject({ s: 'pending' });
    expect((await h.store.claim(5, 30_000)).jobs.map((job) => job.id)).toEqual(['a']);
  });

  it('a page tops up past stale entries, so it is full while jobs follow', async () => {
    const ids = await finishedJobs(h, 'j', 6, 'completed');
    for (const id of ids.slice(2, 5)) await fcall(h, 'removeJob', [10_000, id, `r-${id}`]);
    const page = await pageOfJobs('q', [h.store], 'completed', { offset: 0, limit: 2 }, true);
    expect(page.jobs.map((job) => job.id)).toEqual([ids[5], ids[1]]);
    expect((await h.store.stats()).stats.completedJobs).toBe(3);
  });

  it('clean pops a stale entry of a job retried since, and leaves the job alone', async () => {
    await failNow(h, 'a');
    await failNow(h, 'b');
    expect(await h.store.retry('a')).toEqual(['OK']);
    const [removed, , done, total] = (await fcall(h, 'cleanJobs', [10_000, 'failed', 0, 100, '', 'c1'])) as string[];
    expect([removed, done, total]).toEqual(['1', '1', '2']);
    expect(await h.fields('a')).toMatchObject({ s: 'pending' });
    expect(await h.jobCount('b')).toBe(0);
    expect(await h.raw.exists(h.keys.failed)).toBe(0);
    expect((await h.store.stats()).stats.failedJobs).toBe(0);
  });

  it('a bulk retry resumes after its cursor although trimming popped entries before it meanwhile', async () => {
    const ids = await finishedJobs(h, 'f', 6, 'failed');
    let [retried, until, score, id] = (await fcall(h, 'retryJobs', [10_000, 'failed', '', 3, '', '', '', 'r1'])) as string[];
    expect(retried).toBe('3');
    // Three stale entries at the head, then three live: a failure over a count of 3 pops the stale
    // ones and the oldest live one, f0003, the cursor's neighbour.
    await failNow(h, 'late', h.storeWith({ keepFailed: { age: 3_600_000, count: 3 } }));
    expect(await h.raw.llen(h.keys.failed)).toBe(3);
    expect(await h.jobCount(ids[3]!)).toBe(0);
    [retried] = (await fcall(h, 'retryJobs', [10_000, 'failed', '', 10, until!, score!, id!, 'r2'])) as string[];
    expect(retried).toBe('2');
    expect(await h.finished('failed')).toEqual(['late']);
    expect(await h.raw.lrange(h.ready(0), 0, -1)).toEqual([...ids.slice(0, 3), ...ids.slice(4)]);
  });
});
