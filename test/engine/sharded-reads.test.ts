/**
 * How a sharded queue's reads add up from its shards' (what the console's overview and pages of a
 * sharded queue show): counts summed, paused only when every shard is, the oldest ready job the
 * oldest of any shard, pages in the unsharded order (newest first; delayed soonest first), and the
 * event feed in time order across shards, resumable from any position it handed out.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Job, QueueStats, RedisQueue } from '../../src/index.js';
import { mergeOverviews, mergeRunning } from '../../src/engine/sharded-reads.js';
import { freshQueue } from '../helpers.js';

const counts = (n: number): QueueStats => ({
  pendingJobs: n, delayedJobs: n + 1, processingJobs: n + 2, retryingJobs: n + 3, completedJobs: n + 4, failedJobs: n + 5, cancelledJobs: n + 6,
});

describe('merged overview', () => {
  it('sums every count, is paused only when every shard is, and takes the oldest ready job of any shard', () => {
    const shard = (n: number, paused: boolean, oldestReadyAt: number | null) => ({ stats: counts(n), paused, oldestReadyAt, groupConcurrency: 2 });
    const merged = mergeOverviews([shard(1, true, 5_000), shard(10, false, null), shard(100, true, 3_000)], [undefined, 'h:2', undefined]);
    expect(merged.stats).toEqual({
      pendingJobs: 111, delayedJobs: 114, processingJobs: 117, retryingJobs: 120, completedJobs: 123, failedJobs: 126, cancelledJobs: 129,
    });
    expect(merged.paused).toBe(false);
    expect(merged.oldestReadyAt).toEqual(new Date(3_000));
    expect(merged.groupConcurrency).toBe(2);
    expect(merged.shards!.map(({ shard: n, paused, oldestReadyAt, node }) => ({ n, paused, oldestReadyAt, node }))).toEqual([
      { n: 0, paused: true, oldestReadyAt: new Date(5_000), node: undefined },
      { n: 1, paused: false, oldestReadyAt: null, node: 'h:2' },
      { n: 2, paused: true, oldestReadyAt: new Date(3_000), node: undefined },
    ]);
    expect('node' in merged.shards![0]!).toBe(false);
    const allPaused = mergeOverviews([shard(0, true, null), shard(0, true, null)], []);
    expect([allPaused.paused, allPaused.oldestReadyAt]).toEqual([true, null]);
  });

  it('of one shard is that shard, without a per-shard list', () => {
    const only = mergeOverviews([{ stats: counts(3), paused: true, oldestReadyAt: 7, groupConcurrency: null }], []);
    expect(only).toEqual({ stats: counts(3), paused: true, oldestReadyAt: new Date(7), groupConcurrency: null });
  });
});

describe('merged pages of running jobs', () => {
  const job = (id: string, enteredMs: number) => ({ id, enteredAt: new Date(enteredMs) }) as Job;

  it('lists newest first across shards, ties by id descending, and pages after merging', () => {
    const pages = [[job('0-b', 30), job('0-a', 10)], [job('1-c', 20), job('1-a', 10)]];
    expect(mergeRunning(pages, 0, 10).map((j) => j.id)).toEqual(['0-b', '1-c', '1-a', '0-a']);
    expect(mergeRunning(pages, 1, 2).map((j) => j.id)).toEqual(['1-c', '1-a']);
  });
});

describe('the event feed of a sharded queue', () => {
  let queue: RedisQueue;
  let cleanup: () => Promise<void>;
  beforeEach(async () => ({ queue, cleanup } = await freshQueue('sharded-feed', { shards: 3 })));
  afterEach(() => cleanup());

  it('reads in time order across shards and resumes after any position it gave', async () => {
    const pushed: string[] = [];
    for (let i = 0; i < 6; i++) {
      pushed.push((await queue.push({ type: 't', payload: { i } })).id);
      await new Promise((resolve) => setTimeout(resolve, 3)); // each in its own millisecond
    }
    const all = await queue.readEvents('0', 100);
    expect(all.map((event) => event.jobIds[0])).toEqual(pushed);
    const rest = await queue.readEvents(all[2]!.id, 100);
    expect(rest.map((event) => event.jobIds[0])).toEqual(pushed.slice(3));
    expect(await queue.lastEventId()).toBe(all[5]!.id);
    expect(await queue.readEvents(await queue.lastEventId(), 100)).toEqual([]);
  });
});
