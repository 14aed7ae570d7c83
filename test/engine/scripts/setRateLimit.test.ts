import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { scriptHarness, snapshot, type Harness } from './harness.js';

describe('setRateLimit.lua', () => {
  let h: Harness;
  beforeEach(async () => (h = await scriptHarness('setRateLimit')));
  afterEach(() => h.close());
  const limitKey = () => `${h.keys.base}rateLimit`;

  it('stores the limit once, wakes a worker and says so in the feed; the same limit again changes nothing', async () => {
    expect(await h.store.setRateLimit(10, 1_000)).toBe(true);
    expect(await h.raw.get(limitKey())).toBe('10|1000|10');
    expect(await h.raw.lrange(h.keys.wake, 0, -1)).toEqual(['1']);
    expect(await h.events()).toEqual([{ ev: 'rateLimit', ids: '', x: '10|1000' }]);
    await h.raw.del(h.keys.wake);
    expect(await h.store.setRateLimit(10, 1_000)).toBe(false);
    expect(await h.raw.exists(h.keys.wake)).toBe(0);
    expect(await h.raw.xlen(h.keys.events)).toBe(1);
  });

  it('lifting it removes the limit and the starts counted under it', async () => {
    await h.store.setRateLimit(2, 60_000);
    await h.raw.zadd(`${h.keys.base}rateStarts`, 1, 'a,1');
    expect(await h.store.setRateLimit(0, 0)).toBe(true);
    expect(await h.raw.exists(limitKey(), `${h.keys.base}rateStarts`)).toBe(0);
    expect((await h.events()).at(-1)).toEqual({ ev: 'rateLimit', ids: '', x: '' });
    expect(await h.store.setRateLimit(0, 0)).toBe(false);
  });

  it('a shard stores its share with the queue\'s whole max, and announces the whole limit only when told', async () => {
    expect(await h.store.setRateLimit(4, 1_000, 10, true)).toBe(true);
    expect(await h.raw.get(limitKey())).toBe('4|1000|10');
    expect(await h.events()).toEqual([{ ev: 'rateLimit', ids: '', x: '10|1000' }]);
    // The queue's max changed, this shard's share did not: still a change, stored, not announced.
    expect(await h.store.setRateLimit(4, 1_000, 11, false)).toBe(true);
    expect(await h.raw.get(limitKey())).toBe('4|1000|11');
    expect(await h.raw.xlen(h.keys.events)).toBe(1);
  });

  it('refuses a fraction, a negative number or an empty window before writing', async () => {
    const before = await snapshot(h);
    await expect(h.store.setRateLimit(1.5, 1_000)).rejects.toThrow(/whole numbers/);
    await expect(h.store.setRateLimit(-1, 1_000)).rejects.toThrow(/max must be a number/);
    await expect(h.store.setRateLimit(5, 0)).rejects.toThrow(/per at least 1/);
    expect(await snapshot(h)).toEqual(before);
  });
});
