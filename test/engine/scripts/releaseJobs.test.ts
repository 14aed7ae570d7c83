import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { claimedJob, newJob, scriptHarness, type Harness } from './harness.js';

describe('releaseJobs.lua', () => {
  let h: Harness;
  beforeEach(async () => (h = await scriptHarness('releaseJobs')));
  afterEach(() => h.close());

  it('hands a running job back to the head of its level without counting the attempt', async () => {
    const token = await claimedJob(h, 'a', { priority: 1 });
    await h.store.addJobs([newJob('b', { priority: 1 })]);
    await h.raw.del(h.keys.wake);
    expect(await h.store.release([{ id: 'a', token }])).toBe(1);
    const fields = await h.fields('a');
    expect(fields).toMatchObject({ s: 'pending' });
    expect(fields).not.toHaveProperty('a'); // no attempts: an empty field
    expect(await h.running()).toHaveLength(0);
    expect(await h.raw.lrange(h.ready(1), 0, -1)).toEqual(['a', 'b']);
    expect(await h.raw.lrange(h.keys.wake, 0, -1)).toEqual(['1']);
    expect((await h.events()).at(-1)).toEqual({ ev: 'pending', ids: 'a', x: 'released' });
  });

  it('skips jobs whose lease the caller no longer holds and changes nothing for them', async () => {
    const ta = await claimedJob(h, 'a');
    const tb = await claimedJob(h, 'b');
    const before = await h.fields('b');
    expect(await h.store.release([{ id: 'a', token: ta }, { id: 'b', token: String(Number(tb) + 1) }, { id: 'nope', token: ta }])).toBe(1);
    expect(await h.fields('b')).toEqual(before);
    expect(await h.fields('b')).toMatchObject({ q: tb });
    expect(await h.running()).toEqual(['b']);
    expect(await h.raw.lrange(h.ready(0), 0, -1)).toEqual(['a']);
    expect(await h.jobCount('nope')).toBe(0);
  });

  it('writes no event and no wake marker when nothing was held', async () => {
    const token = await claimedJob(h, 'a');
    await h.raw.del(h.keys.wake);
    const events = await h.raw.xlen(h.keys.events);
    expect(await h.store.release([{ id: 'a', token: `${token}1` }])).toBe(0);
    expect(await h.raw.xlen(h.keys.events)).toBe(events);
    expect(await h.raw.exists(h.keys.wake)).toBe(0);
  });
});
