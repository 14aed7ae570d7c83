import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { claimedJob, scriptHarness, type Harness } from './harness.js';

describe('extendLeases.lua', () => {
  let h: Harness;
  beforeEach(async () => (h = await scriptHarness('extendLeases')));
  afterEach(() => h.close());

  it('moves the deadline of a held lease to now + lease and reports nothing lost', async () => {
    const token = await claimedJob(h, 'a', {}, 1_000);
    const before = await h.redisNow();
    expect(await h.store.extendLeases([{ id: 'a', token }], 60_000)).toEqual([]);
    expect(Number(await h.raw.zscore(h.keys.active, 'a'))).toBeGreaterThanOrEqual(before + 60_000);
  });

  it('reports a stale token as lost and leaves that deadline alone', async () => {
    const token = await claimedJob(h, 'a', {}, 1_000);
    const deadline = await h.raw.zscore(h.keys.active, 'a');
    expect(await h.store.extendLeases([{ id: 'a', token: `${token}0` }], 60_000)).toEqual([{ id: 'a', token: `${token}0` }]);
    expect(await h.raw.zscore(h.keys.active, 'a')).toBe(deadline);
    expect(await h.fields('a')).toMatchObject({ s: 'processing', q: token });
  });

  it('reports cancelled and unknown jobs as lost without putting them back in the active set', async () => {
    const ta = await claimedJob(h, 'a');
    const tb = await claimedJob(h, 'b');
    await h.store.cancel('a');
    const lost = await h.store.extendLeases([{ id: 'a', token: ta }, { id: 'b', token: tb }, { id: 'nope', token: tb }], 60_000);
    expect(lost).toEqual([{ id: 'a', token: ta }, { id: 'nope', token: tb }]);
    expect(await h.running()).toEqual(['b']);
  });

  it('reports a job recovered and claimed by another worker as lost to the first', async () => {
    const first = await claimedJob(h, 'a');
    await h.makeDue(h.keys.active, 'a');
    const [again] = (await h.store.claim(1, 30_000)).jobs;
    expect(await h.store.extendLeases([{ id: 'a', token: first }], 60_000)).toEqual([{ id: 'a', token: first }]);
    expect(await h.store.extendLeases([{ id: 'a', token: again!.token }], 60_000)).toEqual([]);
  });
});
