import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { claimedJob, scriptHarness, type Harness } from './harness.js';

describe('markHandlerStop.lua', () => {
  let h: Harness;
  beforeEach(async () => (h = await scriptHarness('markHandlerStop')));
  afterEach(() => h.close());

  it('notes stopping then killed with the attempt, emits each, and leaves the record alone', async () => {
    await claimedJob(h, 'a');
    const record = await h.raw.hget(h.keys.jobs, 'a');
    expect(await h.store.markHandlerStop('a', 'stopping', 1)).toBe(true);
    expect(await h.fields('a')).toMatchObject({ s: 'processing', k: 'stopping', ka: 1 });
    expect(await h.store.markHandlerStop('a', 'killed', 1)).toBe(true);
    expect(await h.fields('a')).toMatchObject({ k: 'killed', ka: 1 });
    expect(await h.raw.hget(h.keys.jobs, 'a')).toBe(record);
    expect((await h.events()).slice(-2)).toEqual([{ ev: 'stopping', ids: 'a' }, { ev: 'killed', ids: 'a' }]);
  });

  it('writes nothing for a job that is gone, and refuses an unknown state', async () => {
    expect(await h.store.markHandlerStop('gone', 'killed', 1)).toBe(false);
    expect(await h.raw.exists(h.keys.details, h.keys.events)).toBe(0);
    await claimedJob(h, 'a');
    await expect(h.store.markHandlerStop('a', 'paused' as 'killed', 1)).rejects.toThrow(/state must be stopping or killed/);
  });
});
