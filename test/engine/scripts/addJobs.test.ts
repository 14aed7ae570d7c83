import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { newJob, scriptHarness, type Harness } from './harness.js';

describe('addJobs.lua', () => {
  let h: Harness;
  beforeEach(async () => (h = await scriptHarness('addJobs')));
  afterEach(() => h.close());

  it('stores a ready job with only the non-default fields and appends it to its ready list', async () => {
    const reply = await h.store.addJobs([newJob('a')]);
    expect(reply).toHaveProperty('createdAt');
    const createdAt = (reply as { createdAt: number }).createdAt;
    const fields = await h.fields('a');
    expect(fields).toEqual({ type: 'test', payload: '{"n":1}', s: 'pending', m: '3', c: fields.c });
    // Creation time is kept in microseconds, so jobs created in one millisecond keep their order.
    expect(Math.floor(Number(fields.c) / 1000)).toBe(createdAt);
    expect(await h.raw.lrange(h.ready(0), 0, -1)).toEqual(['a']);
    expect(await h.raw.zrange(h.keys.priorities, 0, -1, 'WITHSCORES')).toEqual(['0', '0']);
    expect(await h.raw.lrange(h.keys.wake, 0, -1)).toEqual(['1']);
    expect(await h.events()).toEqual([{ ev: 'added', ids: 'a' }]);
  });

  it('stores priority and timeout, and files the job under its priority level', async () => {
    await h.store.addJobs([newJob('a', { priority: -4, timeout: 2500 })]);
    const fields = await h.fields('a');
    expect(fields).toMatchObject({ p: '-4', o: '2500', s: 'pending' });
    expect(await h.raw.lrange(h.ready(-4), 0, -1)).toEqual(['a']);
    expect(await h.raw.zscore(h.keys.priorities, '-4')).toBe('-4');
  });

  it('schedules a delayed job at created + delay instead of making it ready', async () => {
    const { createdAt } = (await h.store.addJobs([newJob('d', { delay: 60_000 })])) as { createdAt: number };
    expect(await h.fields('d')).toMatchObject({ s: 'pending', w: '60000', r: String(createdAt + 60_000) });
    expect(await h.raw.zscore(h.keys.delayed, 'd')).toBe(String(createdAt + 60_000));
    expect(await h.raw.exists(h.ready(0))).toBe(0);
    expect(await h.raw.zcard(h.keys.priorities)).toBe(0);
    // The new earliest due time wakes idle workers so they shorten their sleep.
    expect(await h.raw.lrange(h.keys.wake, 0, -1)).toEqual(['1']);
    expect(await h.events()).toEqual([{ ev: 'delayed', ids: 'd' }]);
  });

  it('stores a batch in order with one event per kind and a single wake marker', async () => {
    await h.store.addJobs([newJob('a'), newJob('b'), newJob('d', { delay: 5_000 }), newJob('c')]);
    expect(await h.raw.lrange(h.ready(0), 0, -1)).toEqual(['a', 'b', 'c']);
    expect(await h.raw.zrange(h.keys.delayed, 0, -1)).toEqual(['d']);
    expect(await h.raw.lrange(h.keys.wake, 0, -1)).toEqual(['1']);
    expect(await h.events()).toEqual([{ ev: 'added', ids: 'a,b,c' }, { ev: 'delayed', ids: 'd' }]);
  });

  it('refuses a batch holding an existing id with ID_EXISTS and stores none of it', async () => {
    await h.store.addJobs([newJob('a')]);
    const before = await h.fields('a');
    const reply = await h.store.addJobs([newJob('b'), newJob('a', { type: 'other' })]);
    expect(reply).toEqual({ existingId: 'a' });
    expect(await h.fields('a')).toEqual(before);
    expect(await h.jobCount('b')).toBe(0);
    expect(await h.raw.lrange(h.ready(0), 0, -1)).toEqual(['a']);
    expect(await h.events()).toHaveLength(1);
  });

  it.each([1, 2])('takes an id stored long ago with the same type and payload for a collision, not a resend (batch of %i)', async (size) => {
    await h.store.addJobs([newJob('a')]);
    // Created 11 minutes ago: a resend of the call that stored it would have come long before.
    const record = (await h.raw.hget(h.keys.jobs, 'a'))!;
    // `p|<created µs in base 36>|…`: a new job ready now has no run state.
    const fields = record.split('|');
    fields[1] = (parseInt(fields[1]!, 36) - 11 * 60 * 1_000_000).toString(36);
    await h.raw.hset(h.keys.jobs, 'a', fields.join('|'));
    const batch = size === 1 ? [newJob('a')] : [newJob('b'), newJob('a')];
    expect(await h.store.addJobs(batch)).toEqual({ existingId: 'a' });
    expect(await h.store.addJobs([newJob('a2')])).toHaveProperty('createdAt');
  });

  it('refuses a batch that repeats an id, so one job cannot be queued twice', async () => {
    expect(await h.store.addJobs([newJob('x'), newJob('y'), newJob('x')])).toEqual({ existingId: 'x' });
    expect(await h.jobCount('x', 'y')).toBe(0);
    expect(await h.raw.exists(h.ready(0))).toBe(0);
  });

  it('names at most 50 jobs in one event and gives the total, so the feed stays small', async () => {
    await h.store.addJobs(Array.from({ length: 60 }, (_, i) => newJob(`j${i}`)));
    const [entry] = await h.raw.xrange(h.keys.events, '-', '+');
    const flat = entry![1];
    const fields: Record<string, string> = {};
    for (let i = 0; i + 1 < flat.length; i += 2) fields[flat[i]!] = flat[i + 1]!;
    expect(fields.added!.split(',')).toHaveLength(50);
    expect(fields['added#']).toBe('60');
    expect((await h.store.readEvents('0', 10))[0]).toMatchObject({ event: 'added', jobCount: 60 });
  });

  it('writes one feed entry per call, holding each of its events in order', async () => {
    await h.store.addJobs([newJob('now'), newJob('later', { delay: 60_000 })]);
    expect(await h.raw.xlen(h.keys.events)).toBe(1);
    const events = await h.store.readEvents('0', 10);
    expect(events.map(({ event, jobIds }) => [event, jobIds])).toEqual([['added', ['now']], ['delayed', ['later']]]);
    expect(events[0]!.id).toBe(events[1]!.id);
  });
});
