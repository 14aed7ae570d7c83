import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { decodeJob } from '../../../src/engine/codec.js';
import { claimedJob, redisClockPast, scriptHarness, snapshot, type Harness } from './harness.js';

/** The job as getJob decodes it. */
async function storedJob(h: Harness, id: string) {
  const [stored] = await h.store.jobs([id]);
  return decodeJob('q', id, stored!.fields, stored!.details)!;
}

describe('finishJobs.lua', () => {
  let h: Harness;
  beforeEach(async () => (h = await scriptHarness('finishJobs')));
  afterEach(() => h.close());

  it('records a completion: status, processed time, result, finished list entry', async () => {
    const token = await claimedJob(h, 'a');
    expect(await h.store.finish([{ id: 'a', token, kind: 'completed', value: '{"ok":true}', retryDelay: 0 }])).toEqual([true]);
    const fields = await h.fields('a');
    expect(fields).toMatchObject({ s: 'completed', res: '{"ok":true}', a: '1' });
    expect((await storedJob(h, 'a')).processedAt!.getTime()).toBe(Math.floor(Number(fields.e) / 1000));
    expect(await h.finishedTimes('completed')).toEqual([['a', Number(fields.e)]]);
    expect(await h.running()).toHaveLength(0);
    expect((await h.events()).at(-1)).toEqual({ ev: 'completed', ids: 'a' });
  });

  it('skips a malformed outcome whole and records the rest of its batch', async () => {
    await h.store.addJobs([{ id: 'a', type: 't', payloadJson: '{}', maxAttempts: 3, priority: 0, delay: 0, timeout: 0 },
      { id: 'b', type: 't', payloadJson: '{}', maxAttempts: 3, priority: 0, delay: 0, timeout: 0 }]);
    const [a, b] = (await h.store.claim(2, 30_000)).jobs;
    const flags = await h.store.finish([
      { id: 'a', token: a!.token, kind: 'retrying', value: 'boom', retryDelay: Number.NaN },
      { id: 'b', token: b!.token, kind: 'completed', value: '', retryDelay: 0 },
    ]);
    expect(flags).toEqual([false, true]);
    // Nothing of the bad one was written: it still runs under its lease, which recovery takes over.
    expect(await h.fields('a')).toMatchObject({ s: 'processing' });
    expect(await h.fields('a')).not.toHaveProperty('x');
    expect(await h.running()).toEqual(['a']);
    expect(await h.finished('completed')).toEqual(['b']);
  });

  it('refuses an outcome count past the outcomes it was given, before writing anything', async () => {
    const token = await claimedJob(h, 'a');
    const before = await snapshot(h);
    // events max length, retention (5), packed completions '', then the count and one outcome.
    const args = [100, 1, 1, 1, 1, 1, '', 5_000_000, 'a', token, 'completed', '', 0];
    await expect(h.store.call('finishJobs', args)).rejects.toThrow(/flexq: ARGV\[8\] outcome count must be a number from 0 to 1, got 5000000/);
    expect(await snapshot(h)).toEqual(before);
    expect(await h.store.call('finishJobs', args.with(7, 1))).toEqual([1]);
  });

  it('answers a resent call as the first: recorded, with nothing written twice', async () => {
    const token = await claimedJob(h, 'a');
    const outcome = { id: 'a', token, kind: 'retrying' as const, value: 'boom', retryDelay: 60_000 };
    expect(await h.store.finish([outcome])).toEqual([true]);
    const history = (await h.fields('a')).h;
    expect(await h.store.finish([outcome])).toEqual([true]);
    expect((await h.fields('a')).h).toEqual(history);
    // A different (stale) token is still stale.
    expect(await h.store.finish([{ ...outcome, token: `${token}9` }])).toEqual([false]);
  });

  it('stores no result field for a completion without data', async () => {
    const token = await claimedJob(h, 'a');
    await h.store.finish([{ id: 'a', token, kind: 'completed', value: '', retryDelay: 0 }]);
    expect(await h.fields('a')).not.toHaveProperty('res');
  });

  it('schedules a retry at now + delay with the error, and wakes idle workers', async () => {
    const token = await claimedJob(h, 'a');
    await h.raw.del(h.keys.wake);
    const before = await h.redisNow();
    await h.store.finish([{ id: 'a', token, kind: 'retrying', value: 'boom', retryDelay: 5_000 }]);
    const fields = await h.fields('a');
    expect(fields).toMatchObject({ s: 'retrying', x: 'boom' });
    expect(Number(fields.r)).toBeGreaterThanOrEqual(before + 5_000);
    expect(await h.raw.zscore(h.keys.retrying, 'a')).toBe(fields.r);
    expect(await h.running()).toHaveLength(0);
    expect(await h.raw.lrange(h.keys.wake, 0, -1)).toEqual(['1']);
    expect((await h.events()).at(-1)).toEqual({ ev: 'retrying', ids: 'a' });
  });

  it('records a failure for good with its error and failed time', async () => {
    const token = await claimedJob(h, 'a');
    await h.store.finish([{ id: 'a', token, kind: 'failed', value: 'bad input', retryDelay: 0 }]);
    const fields = await h.fields('a');
    expect(fields).toMatchObject({ s: 'failed', x: 'bad input' });
    expect((await storedJob(h, 'a')).failedAt!.getTime()).toBe(Math.floor(Number(fields.e) / 1000));
    expect(await h.finishedTimes('failed')).toEqual([['a', Number(fields.e)]]);
    expect((await h.events()).at(-1)).toEqual({ ev: 'failed', ids: 'a' });
  });

  it('ignores an outcome under a stale lease token and changes nothing', async () => {
    const token = await claimedJob(h, 'a');
    const before = { fields: await h.fields('a'), active: await h.raw.zscore(h.keys.active, 'a'), events: await h.raw.xlen(h.keys.events) };
    const stale = String(Number(token) + 1);
    expect(await h.store.finish([{ id: 'a', token: stale, kind: 'completed', value: '1', retryDelay: 0 }])).toEqual([false]);
    expect(await h.fields('a')).toEqual(before.fields);
    expect(await h.raw.zscore(h.keys.active, 'a')).toBe(before.active);
    expect(await h.raw.xlen(h.keys.events)).toBe(before.events);
    expect(await h.raw.llen(h.keys.completed)).toBe(0);
  });

  it('ignores the late outcome of a cancelled job', async () => {
    const token = await claimedJob(h, 'a');
    await h.store.cancel('a');
    expect(await h.store.finish([{ id: 'a', token, kind: 'completed', value: '', retryDelay: 0 }])).toEqual([false]);
    expect(await h.fields('a')).toMatchObject({ s: 'cancelled' });
    expect(await h.raw.llen(h.keys.completed)).toBe(0);
  });

  it('flags each outcome of a batch on its own', async () => {
    const ta = await claimedJob(h, 'a');
    const tb = await claimedJob(h, 'b');
    const flags = await h.store.finish([
      { id: 'a', token: ta, kind: 'completed', value: '', retryDelay: 0 },
      { id: 'b', token: String(Number(tb) + 1), kind: 'failed', value: 'x', retryDelay: 0 },
      { id: 'gone', token: tb, kind: 'failed', value: 'x', retryDelay: 0 },
    ]);
    expect(flags).toEqual([true, false, false]);
    expect(await h.fields('b')).toMatchObject({ s: 'processing', q: tb });
    expect(await h.jobCount('gone')).toBe(0);
  });

  describe('retention', () => {
    async function complete(store: typeof h.store, id: string): Promise<void> {
      const token = await claimedJob(h, id);
      await store.finish([{ id, token, kind: 'completed', value: '', retryDelay: 0 }]);
      await redisClockPast(h, Math.floor(Number((await h.fields(id)).e) / 1000));
    }

    it('keeps at most the configured count of completed jobs, dropping the oldest', async () => {
      const tight = h.storeWith({ keepCompleted: { age: 3_600_000, count: 2 } });
      for (const id of ['a', 'b', 'c']) await complete(tight, id);
      expect(await h.finished('completed')).toEqual(['b', 'c']);
      expect(await h.raw.llen(h.keys.completed)).toBe(2);
      expect(await h.jobCount('a')).toBe(0);
      expect(await h.jobCount('b', 'c')).toBe(2);
    });

    it('drops completed jobs older than the configured age', async () => {
      await complete(h.store, 'old');
      const now = await h.redisNow();
      await h.backdateFinished('completed', 'old', (now - 120_000) * 1000);
      await complete(h.storeWith({ keepCompleted: { age: 60_000, count: 1_000 } }), 'new');
      expect(await h.finished('completed')).toEqual(['new']);
      expect(await h.raw.llen(h.keys.completed)).toBe(1);
      expect(await h.jobCount('old')).toBe(0);
    });

    it('drops every completed job past the age in one call, up to what it may remove', async () => {
      for (const id of ['o1', 'o2', 'o3']) await complete(h.store, id);
      const now = await h.redisNow();
      for (const id of ['o1', 'o2', 'o3']) await h.backdateFinished('completed', id, (now - 120_000) * 1000);
      await complete(h.storeWith({ keepCompleted: { age: 60_000, count: 1_000 } }), 'new');
      expect(await h.finished('completed')).toEqual(['new']);
      expect(await h.raw.llen(h.keys.completed)).toBe(1);
      expect(await h.jobCount('o1', 'o2', 'o3')).toBe(0);
    });

    it('trims failed jobs by their own policy, at most what the call added plus the configured removals', async () => {
      const tight = h.storeWith({ keepFailed: { age: 3_600_000, count: 1 }, retentionBatch: 1 });
      for (const id of ['a', 'b', 'c']) {
        const token = await claimedJob(h, id);
        await h.store.finish([{ id, token, kind: 'failed', value: 'x', retryDelay: 0 }]);
        await redisClockPast(h, Math.floor(Number((await h.fields(id)).e) / 1000));
      }
      const token = await claimedJob(h, 'd');
      await tight.finish([{ id: 'd', token, kind: 'failed', value: 'x', retryDelay: 0 }]);
      // Four kept, one allowed; the call added one and may remove one more: the two oldest go now.
      expect(await h.finished('failed')).toEqual(['c', 'd']);
      expect(await h.raw.llen(h.keys.failed)).toBe(2);
      expect(await h.jobCount('a', 'b')).toBe(0);
    });

    it('does not trim the completed list when only failures were recorded', async () => {
      await complete(h.store, 'a');
      await complete(h.store, 'b');
      const token = await claimedJob(h, 'c');
      await h.storeWith({ keepCompleted: { age: 3_600_000, count: 0 } }).finish([{ id: 'c', token, kind: 'failed', value: 'x', retryDelay: 0 }]);
      expect(await h.finished('completed')).toEqual(['a', 'b']);
    });
  });
});
