import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { scriptHarness, type Harness } from './harness.js';

describe('countFinishedNewer.lua (a sharded queue\'s finished pages by rank)', () => {
  let h: Harness;
  beforeEach(async () => (h = await scriptHarness('countFinished')));
  afterEach(() => h.close());

  const count = (status: string, pivot: number | string, orEqual: number | string) => h.store.call('countFinishedNewer', [status, pivot, orEqual]);

  it('counts the entries that finished after a time, or no earlier, from the newest', async () => {
    // Finish times only grow along a list; two entries share a time.
    await h.raw.rpush(h.keys.failed, '100,a', '200,b', '200,c', '300,d');
    expect(await Promise.all([50, 100, 200, 250, 300, 400].map((t) => count('failed', t, 0)))).toEqual([4, 3, 1, 1, 0, 0]);
    expect(await Promise.all([50, 100, 200, 250, 300, 400].map((t) => count('failed', t, 1)))).toEqual([4, 4, 3, 1, 1, 0]);
    expect(await count('completed', 100, 0)).toBe(0);
  });

  it('refuses a status, pivot or flag it cannot make sense of, naming the argument', async () => {
    await expect(count('pending', 1, 0)).rejects.toThrow(/ARGV\[1\] status must be completed, failed or cancelled, got pending/);
    await expect(count('failed', 'soon', 0)).rejects.toThrow(/ARGV\[2\] pivot must be a number/);
    await expect(count('failed', 1, 'yes')).rejects.toThrow(/ARGV\[3\] must be 1 \(no older\) or 0 \(newer\), got yes/);
  });
});
