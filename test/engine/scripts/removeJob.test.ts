import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { newJob, scriptHarness, snapshot, type Harness } from './harness.js';
import { fcall, finishedJobs } from './ops-fixtures.js';

const remove = (h: Harness, id: string, requestId: string) => fcall(h, 'removeJob', [10_000, id, requestId]);

describe('removeJob.lua', () => {
  let h: Harness;
  beforeEach(async () => (h = await scriptHarness('removeJob')));
  afterEach(() => h.close());

  it.each(['completed', 'failed', 'cancelled'] as const)('removes a %s job and its details, and counts it no more', async (status) => {
    const [id, other] = await finishedJobs(h, 'j', 2, status);
    expect(await remove(h, id!, 'r1')).toEqual(['OK', status]);
    expect(await h.jobCount(id!)).toBe(0);
    expect(await h.raw.hexists(h.keys.details, id!)).toBe(0);
    expect(await h.finished(status)).toEqual([other]);
    expect((await h.store.stats()).stats[`${status}Jobs`]).toBe(1);
    expect((await h.events()).at(-1)).toEqual({ ev: 'removed', ids: id, x: status });
  });

  it('answers a resend with the first reply, where a new request finds nothing', async () => {
    const [id] = await finishedJobs(h, 'j', 1, 'failed');
    expect(await remove(h, id!, 'same')).toEqual(['OK', 'failed']);
    expect(await remove(h, id!, 'same')).toEqual(['OK', 'failed']);
    expect(await remove(h, id!, 'new')).toEqual(['NOT_FOUND']);
  });

  it('refuses a waiting job and writes nothing', async () => {
    await h.store.addJobs([newJob('w')]);
    const before = await snapshot(h);
    expect(await remove(h, 'w', 'r1')).toEqual(['BAD_STATE', 'pending']);
    expect(await snapshot(h)).toEqual(before);
  });
});
