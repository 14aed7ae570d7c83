import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { scriptHarness, snapshot, type Harness } from './harness.js';
import { fcall, finishedJobs } from './ops-fixtures.js';

/** Runs one chunk: status, type, chunk, until, cursor score, cursor id, request id. */
const chunk = (h: Harness, ...args: (string | number)[]) => fcall(h, 'retryJobs', [10_000, ...args]) as Promise<string[]>;

describe('retryJobs.lua', () => {
  let h: Harness;
  beforeEach(async () => (h = await scriptHarness('retryJobs')));
  afterEach(() => h.close());

  it('retries the oldest failed jobs one chunk at a time, attempts reset, at the tail of their level', async () => {
    const ids = await finishedJobs(h, 'f', 5, 'failed');
    const [retried, until, , , done, total] = await chunk(h, 'failed', '', 2, '', '', '', 'r1');
    expect([retried, done, total]).toEqual(['2', '0', '5']);
    expect(await h.finished('failed')).toEqual(ids.slice(2));
    expect(await h.raw.lrange(h.ready(0), 0, -1)).toEqual(ids.slice(0, 2));
    expect(await h.fields(ids[0]!)).toMatchObject({ s: 'pending' });
    expect(await h.fields(ids[0]!)).not.toHaveProperty('a');
    const [second, , , , secondDone] = await chunk(h, 'failed', '', 10, until!, '', '', 'r2');
    expect([second, secondDone]).toEqual(['3', '1']);
    expect(await h.finished('failed')).toEqual([]);
    expect((await h.store.stats()).stats.failedJobs).toBe(0);
    expect(await h.raw.get(`${h.keys.base}readyCount`)).toBe('5');
    expect((await h.events()).at(-1)).toEqual({ ev: 'pending', ids: ids.slice(2).join(','), x: 'retried' });
  });

  it('with a type filter, walks past other types by a cursor, each chunk looking at `chunk` jobs at most', async () => {
    const others = await finishedJobs(h, 'o', 5, 'failed', 'other');
    const mine = await finishedJobs(h, 'm', 3, 'failed', 'mine');
    let cursor = { until: '', score: '', id: '' };
    const retriedPerChunk: string[] = [];
    for (let i = 0; i < 10; i++) {
      const [retried, until, score, id, done] = await chunk(h, 'failed', 'mine', 2, cursor.until, cursor.score, cursor.id, `r${i}`);
      retriedPerChunk.push(retried!);
      cursor = { until: until!, score: score!, id: id! };
      if (done === '1') break;
    }
    // A full chunk cannot tell that nothing follows: the fifth finds nothing and says done.
    expect(retriedPerChunk).toEqual(['0', '0', '1', '2', '0']);
    expect(await h.finished('failed')).toEqual(others);
    expect(await h.raw.lrange(h.ready(0), 0, -1)).toEqual(mine);
  });

  it('leaves jobs that failed after the retry began (until) alone', async () => {
    const first = await finishedJobs(h, 'a', 2, 'failed');
    const [, until] = await chunk(h, 'failed', '', 1, '', '', '', 'r1');
    const later = await finishedJobs(h, 'b', 2, 'failed', 'test', 5);
    const [retried, , , , done] = await chunk(h, 'failed', '', 10, until!, '', '', 'r2');
    expect([retried, done]).toEqual(['1', '1']);
    expect(await h.finished('failed')).toEqual(later);
    expect(await h.raw.lrange(h.ready(0), 0, -1)).toEqual(first);
  });

  it('retries cancelled jobs from their own set', async () => {
    const ids = await finishedJobs(h, 'c', 3, 'cancelled');
    const [retried, , , , done] = await chunk(h, 'cancelled', '', 10, '', '', '', 'r1');
    expect([retried, done]).toEqual(['3', '1']);
    expect(await h.finished('cancelled')).toEqual([]);
    for (const id of ids) expect(await h.fields(id)).toMatchObject({ s: 'pending' });
  });

  it('files a large chunk in ascending ids, so a later cancel finds any of them and leaves a tombstone', async () => {
    await h.close();
    const keep = { age: 3_600_000, count: 10_000 };
    h = await scriptHarness('retryJobs', { keepFailed: keep, keepCompleted: keep });
    // Cancelled later, sorted earlier: the cancelled list holds z… before a…, a group of 2,400
    // ready entries of one time, larger than ready-order.lua reads whole (GROUP_READ).
    await finishedJobs(h, 'z', 1200, 'cancelled');
    const early = await finishedJobs(h, 'a', 1200, 'cancelled');
    const [retried] = await chunk(h, 'cancelled', '', 10_000, '', '', '', 'r1');
    expect(retried).toBe('2400');
    await h.store.cancel(early[5]!);
    // Behind the 2,400 tombstones of the first cancels, the retried jobs less the one cancelled again.
    const ready = await h.raw.lrange(h.ready(0), 2400, -1);
    expect(ready.filter((entry) => entry.startsWith('~'))).toHaveLength(1);
    expect(ready).not.toContain(early[5]);
  });

  it('a chunk sent again (same request id) gets the first reply and retries nothing more', async () => {
    await finishedJobs(h, 'f', 4, 'failed');
    const first = await chunk(h, 'failed', '', 2, '', '', '', 'same');
    const again = await chunk(h, 'failed', '', 2, '', '', '', 'same');
    expect(again).toEqual(first);
    expect(await h.finished('failed')).toHaveLength(2);
  });

  it.each([
    ['a status other than failed or cancelled', ['completed', '', 10, '', '', '']],
    ['a chunk of 0', ['failed', '', 0, '', '', '']],
    ['an until that is no number', ['failed', '', 10, 'soon', '', '']],
  ])('refuses %s and writes nothing', async (_what, args) => {
    await finishedJobs(h, 'f', 2, 'failed');
    const before = await snapshot(h);
    await expect(chunk(h, ...(args as (string | number)[]), 'bad')).rejects.toThrow(/flexq: ARGV/);
    expect(await snapshot(h)).toEqual(before);
  });
});
