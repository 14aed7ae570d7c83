import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { functionName } from '../../../src/engine/library.js';
import { newJob, scriptHarness, snapshot, type Harness } from './harness.js';

describe('addJobs.lua with unique keys', () => {
  let h: Harness;
  beforeEach(async () => (h = await scriptHarness('addJobsUnique')));
  afterEach(() => h.close());
  const uniqueKey = (key: string) => `${h.keys.base}unique:${key}`;

  it('takes the key for its job, and a later job with the key resolves to the holder with its record', async () => {
    const first = await h.store.addJobs([newJob('a', { uniqueKey: 'k' })]);
    expect(first).toMatchObject({ duplicates: new Map() });
    expect(await h.raw.get(uniqueKey('k'))).toBe('a');
    expect(await h.raw.hget(`${h.keys.base}uniqueHeld`, 'a')).toBe('k');
    const second = await h.store.addJobs([newJob('b', { uniqueKey: 'k' })]);
    expect('duplicates' in second && second.duplicates.get(0)).toMatchObject({ id: 'a', stored: { fields: { s: 'pending', type: 'test' } } });
    expect(await h.jobCount('a', 'b')).toBe(1);
    expect(await h.raw.lrange(h.ready(0), 0, -1)).toEqual(['a']);
  });

  it('the same call sent again (its reply lost) resolves to its own jobs and stores nothing more', async () => {
    const jobs = [newJob('a', { uniqueKey: 'k' }), newJob('b'), newJob('c', { uniqueKey: 'k' })];
    const first = await h.store.addJobs(jobs);
    expect('duplicates' in first && [...first.duplicates]).toEqual([[2, { id: 'a' }]]);
    const before = await snapshot(h);
    const again = await h.store.addJobs(jobs);
    expect('duplicates' in again && [...again.duplicates.entries()].map(([i, d]) => [i, d.id])).toEqual([[0, 'a'], [2, 'a']]);
    // Only the events stream may differ: nothing else was written.
    const after = await snapshot(h);
    delete before[h.keys.events];
    delete after[h.keys.events];
    expect(after).toEqual(before);
  });

  it('jobs of differing delays and priorities around a dropped duplicate keep their own', async () => {
    await h.store.addJobs([newJob('held', { uniqueKey: 'k' })]);
    const reply = await h.store.addJobs([
      newJob('a', { priority: 5 }), newJob('b', { uniqueKey: 'k', priority: 7, delay: 60_000 }), newJob('c', { delay: 60_000, priority: 2 }),
    ]);
    expect('duplicates' in reply && [...reply.duplicates.keys()]).toEqual([1]);
    expect(await h.jobCount('a', 'b', 'c')).toBe(2);
    expect(await h.raw.lrange(h.ready(5), 0, -1)).toEqual(['a']);
    expect(await h.raw.zrange(h.keys.delayed, 0, -1)).toEqual(['c']);
    expect((await h.store.jobs(['c']))[0]?.fields).toMatchObject({ p: '2', r: expect.any(String) });
  });

  it('uniqueFor: the key expires by itself and is not listed for release', async () => {
    await h.store.addJobs([newJob('a', { uniqueKey: 'k', uniqueFor: 60_000 })]);
    const ttl = await h.raw.pttl(uniqueKey('k'));
    expect(ttl).toBeGreaterThan(50_000);
    expect(ttl).toBeLessThanOrEqual(60_000);
    expect(await h.raw.exists(`${h.keys.base}uniqueHeld`)).toBe(0);
  });

  it('a key whose job is gone is free again', async () => {
    await h.store.addJobs([newJob('a', { uniqueKey: 'k', uniqueFor: 60_000 })]);
    await h.raw.hdel(h.keys.jobs, 'a');
    const reply = await h.store.addJobs([newJob('b', { uniqueKey: 'k' })]);
    expect('duplicates' in reply && reply.duplicates.size).toBe(0);
    expect(await h.raw.get(uniqueKey('k'))).toBe('b');
  });

  it('refuses a malformed unique argument before writing anything', async () => {
    const before = await snapshot(h);
    const call = (args: (string | number)[]) =>
      h.raw.call('FCALL', functionName('addJobs'), 5,
        h.keys.base, h.keys.priorities, h.keys.delayed, h.keys.wake, h.keys.events, 100, 1, 0, 0, 'a', '3||||4|test{}', ...args);
    await expect(call([1, 'k', 0, 2])).rejects.toThrow(/number of unique jobs/);
    await expect(call([2, 'k', 0, 1])).rejects.toThrow(/unique job index/);
    await expect(call([1, '', 0, 1])).rejects.toThrow(/unique key/);
    await expect(call([1, 'k', -1, 1])).rejects.toThrow(/uniqueFor/);
    expect(await snapshot(h)).toEqual(before);
  });
});
