import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { claimedJob, newJob, scriptHarness, type Harness } from './harness.js';

describe('finishAndClaimJobs.lua', () => {
  let h: Harness;
  beforeEach(async () => (h = await scriptHarness('finishAndClaimJobs')));
  afterEach(() => h.close());

  it('records an outcome and claims the next jobs in one step', async () => {
    const token = await claimedJob(h, 'a');
    await h.store.addJobs([newJob('b'), newJob('c', { priority: 2 })]);
    const [flags, claim] = await h.store.finishAndClaim([{ id: 'a', token, kind: 'completed', value: '"ok"', retryDelay: 0 }], 2, 30_000);
    expect(flags).toEqual([true]);
    expect(await h.fields('a')).toMatchObject({ s: 'completed', res: '"ok"' });
    expect(claim.jobs.map((j) => j.id)).toEqual(['c', 'b']);
    expect(claim.jobs[0]!.fields.s).toBe('processing');
    expect(claim.jobs[0]!.fields.a).toBe('1');
    expect(await h.running()).toEqual(expect.arrayContaining(['b', 'c']));
    expect(await h.running()).toHaveLength(2);
    expect(await h.finished('completed')).toEqual(['a']);
  });

  it('ignores a stale outcome but still claims', async () => {
    const token = await claimedJob(h, 'a');
    await h.store.cancel('a');
    await h.store.addJobs([newJob('b')]);
    const [flags, claim] = await h.store.finishAndClaim([{ id: 'a', token, kind: 'completed', value: '', retryDelay: 0 }], 1, 30_000);
    expect(flags).toEqual([false]);
    expect(await h.fields('a')).toMatchObject({ s: 'cancelled' });
    expect(claim.jobs.map((j) => j.id)).toEqual(['b']);
  });

  it('schedules a retry and claims nothing when asked for none', async () => {
    const token = await claimedJob(h, 'a');
    const [flags, claim] = await h.store.finishAndClaim([{ id: 'a', token, kind: 'retrying', value: 'boom', retryDelay: 60_000 }], 0, 30_000);
    expect(flags).toEqual([true]);
    expect(await h.fields('a')).toMatchObject({ s: 'retrying', x: 'boom' });
    expect(claim.jobs).toEqual([]);
    expect(claim.nextDue).toBeGreaterThan(59_000);
  });
});
