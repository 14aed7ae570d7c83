import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { evalReadOnly, newJob, scriptHarness, type Harness } from './harness.js';

describe('getRateLimit.lua', () => {
  let h: Harness;
  beforeEach(async () => (h = await scriptHarness('getRateLimit')));
  afterEach(() => h.close());

  it('says nothing for a queue without a limit', async () => {
    expect(await h.store.rateLimit()).toBeNull();
    expect(await evalReadOnly(h, 'getRateLimit', [])).toEqual([]);
  });

  it('counts the starts of the window, and when it is full, how long until it opens', async () => {
    await h.store.setRateLimit(2, 60_000);
    await h.store.addJobs([newJob('a'), newJob('b'), newJob('c')]);
    expect(await h.store.rateLimit()).toEqual({ max: 2, per: 60_000, started: 0, opensIn: 0 });
    await h.store.claim(1, 30_000);
    expect(await h.store.rateLimit()).toEqual({ max: 2, per: 60_000, started: 1, opensIn: 0 });
    await h.store.claim(5, 30_000);
    const full = await h.store.rateLimit();
    expect(full).toMatchObject({ started: 2 });
    expect(full!.opensIn).toBeGreaterThan(50_000);
    expect(full!.opensIn).toBeLessThanOrEqual(60_000);
  });
});
