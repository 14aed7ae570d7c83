import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { newJob, scriptHarness, type Harness } from './harness.js';

describe('setPaused.lua', () => {
  let h: Harness;
  beforeEach(async () => (h = await scriptHarness('setPaused')));
  afterEach(() => h.close());

  it('pauses once: sets the flag, emits "paused", and a second pause changes nothing', async () => {
    expect(await h.store.setPaused(true)).toBe(true);
    expect(await h.raw.get(h.keys.paused)).toBe('1');
    expect(await h.events()).toEqual([{ ev: 'paused', ids: '' }]);
    expect(await h.store.setPaused(true)).toBe(false);
    expect(await h.raw.xlen(h.keys.events)).toBe(1);
  });

  it('resumes once: clears the flag, wakes a worker, emits "resumed"', async () => {
    await h.store.setPaused(true);
    expect(await h.store.setPaused(false)).toBe(true);
    expect(await h.raw.exists(h.keys.paused)).toBe(0);
    expect(await h.raw.lrange(h.keys.wake, 0, -1)).toEqual(['1']);
    expect((await h.events()).at(-1)).toEqual({ ev: 'resumed', ids: '' });
    expect(await h.store.setPaused(false)).toBe(false);
    expect(await h.raw.xlen(h.keys.events)).toBe(2);
  });

  it('does not touch waiting or running jobs', async () => {
    await h.store.addJobs([newJob('a'), newJob('b')]);
    await h.store.claim(1, 30_000);
    await h.store.setPaused(true);
    expect(await h.fields('a')).toMatchObject({ s: 'processing' });
    expect(await h.raw.lrange(h.ready(0), 0, -1)).toEqual(['b']);
    expect((await h.store.claim(1, 30_000)).jobs).toEqual([]);
  });

  it('writes nothing when resuming a queue that is not paused', async () => {
    expect(await h.store.setPaused(false)).toBe(false);
    expect(await h.raw.exists(h.keys.paused, h.keys.wake, h.keys.events)).toBe(0);
  });
});
