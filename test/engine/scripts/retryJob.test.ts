import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { claimedJob, newJob, scriptHarness, type Harness } from './harness.js';

describe('retryJob.lua', () => {
  let h: Harness;
  beforeEach(async () => (h = await scriptHarness('retryJob')));
  afterEach(() => h.close());

  it('sends a failed job back to the tail of its level with attempts reset', async () => {
    const token = await claimedJob(h, 'a', { priority: 2 });
    await h.store.finish([{ id: 'a', token, kind: 'failed', value: 'bad', retryDelay: 0 }]);
    await h.store.addJobs([newJob('b', { priority: 2 })]);
    await h.raw.del(h.keys.wake);
    expect(await h.store.retry('a')).toEqual(['OK']);
    const fields = await h.fields('a');
    expect(fields).toMatchObject({ s: 'pending', p: '2' });
    expect(fields).not.toHaveProperty('a'); // no attempts: an empty field
    expect(fields).not.toHaveProperty('fa');
    expect(await h.finished('failed')).toEqual([]);
    expect(await h.raw.lrange(h.ready(2), 0, -1)).toEqual(['b', 'a']);
    expect(await h.raw.zscore(h.keys.priorities, '2')).toBe('2');
    expect(await h.raw.lrange(h.keys.wake, 0, -1)).toEqual(['1']);
    expect((await h.events()).at(-1)).toEqual({ ev: 'pending', ids: 'a', x: 'retried' });
  });

  it('sends a cancelled job back to pending', async () => {
    await h.store.addJobs([newJob('a')]);
    await h.store.cancel('a');
    expect(await h.store.retry('a')).toEqual(['OK']);
    expect(await h.fields('a')).toMatchObject({ s: 'pending' });
    expect(await h.fields('a')).not.toHaveProperty('a'); // no attempts: an empty field
    expect(await h.finished('cancelled')).toEqual([]);
    // Its place from before the cancel is a tombstone, and it has a new entry: it runs once.
    expect(await h.raw.lrange(h.ready(0), 0, -1)).toEqual([expect.stringMatching(/^~\d+$/), 'a']);
    expect((await h.store.claim(5, 30_000)).jobs.map((j) => j.id)).toEqual(['a']);
    expect(await h.raw.exists(h.ready(0))).toBe(0);
  });

  it('answers NOT_FOUND for an unknown id and writes nothing', async () => {
    expect(await h.store.retry('nope')).toEqual(['NOT_FOUND']);
    expect((await h.jobCount('nope')) + (await h.raw.exists(h.keys.priorities, h.keys.wake, h.keys.events))).toBe(0);
  });

  it.each(['pending', 'processing', 'completed'] as const)('answers BAD_STATE for a %s job and leaves it as it was', async (status) => {
    if (status === 'pending') await h.store.addJobs([newJob('a')]);
    else {
      const token = await claimedJob(h, 'a');
      if (status === 'completed') await h.store.finish([{ id: 'a', token, kind: 'completed', value: '', retryDelay: 0 }]);
    }
    const before = { fields: await h.fields('a'), ready: await h.raw.lrange(h.ready(0), 0, -1), events: await h.raw.xlen(h.keys.events) };
    expect(await h.store.retry('a')).toEqual(['BAD_STATE', status]);
    expect(await h.fields('a')).toEqual(before.fields);
    expect(await h.raw.lrange(h.ready(0), 0, -1)).toEqual(before.ready);
    expect(await h.raw.xlen(h.keys.events)).toBe(before.events);
  });
});
