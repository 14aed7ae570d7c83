/**
 * Unique jobs and rate limits on a queue of 3 shards: a unique key is one key for the whole queue
 * (its jobs go to the shard its hash picks), and a rate limit is one limit for the whole queue (its
 * shards' shares add up to `max`). Runs on the plain Redis and again in the `cluster` project.
 */
import { afterEach, beforeEach, expect, test } from 'vitest';
import { RedisQueue, RedisWorker, ValidationError } from '../../src/index.js';
import { freshQueue, waitFor } from '../helpers.js';

let queue: RedisQueue;
let cleanup: () => Promise<void>;

beforeEach(async () => ({ queue, cleanup } = await freshQueue('sharded-flow', { shards: 3 })));
afterEach(() => cleanup());

const shardOf = (job: { id: string }): number => Number(job.id.split('-')[0]);

test('a unique key holds across the shards: every push of it, from any handle, resolves to one job', async () => {
  const first = await queue.push({ type: 't', payload: { n: 0 }, uniqueKey: 'order-7' });
  // Other handles pick shards in turn from elsewhere: only the key's hash keeps them on one shard.
  const handles = Array.from({ length: 6 }, () => queue.queue(queue.name, { shards: 3 }));
  const again = await Promise.all(handles.map((handle, n) => handle.push({ type: 't', payload: { n: n + 1 }, uniqueKey: 'order-7' })));
  expect(again.map((job) => job.id)).toEqual(again.map(() => first.id));
  const bulk = await queue.pushBulk([
    { type: 't', uniqueKey: 'order-8' }, { type: 't', uniqueKey: 'order-7' }, { type: 't' }, { type: 't', uniqueKey: 'order-8' },
  ]);
  expect(bulk[1]!.id).toBe(first.id);
  expect(bulk[3]!.id).toBe(bulk[0]!.id);
  expect(await queue.getQueueSize()).toBe(3);
  // Keys spread over the shards like other jobs.
  const keyed = await queue.pushBulk(Array.from({ length: 12 }, (_, n) => ({ type: 't', uniqueKey: `k${n}` })));
  expect(new Set(keyed.map(shardOf)).size).toBe(3);
});

test('the key is released when its job completes on its shard', async () => {
  const first = await queue.push({ type: 't', uniqueKey: 'report' });
  const worker = new RedisWorker(queue, { numWorkers: 2, pollTime: 100 });
  worker.registerHandler('t', () => ({ success: true }));
  void worker.start();
  try {
    await waitFor('the holder to complete', async () => (await queue.getJob(first.id))?.status === 'completed');
  } finally {
    await worker.stop();
  }
  const next = await queue.push({ type: 't', uniqueKey: 'report' });
  expect(next.id).not.toBe(first.id);
});

test('a rate limit is one limit for the queue: its shards share max, reads add them up', async () => {
  await queue.setRateLimit({ max: 4, per: 60_000 });
  expect(await queue.getRateLimit()).toEqual({ max: 4, per: 60_000, started: 0, opensIn: 0 });
  await expect(queue.setRateLimit({ max: 2, per: 1_000 })).rejects.toThrow(ValidationError);
  await expect(queue.setRateLimit({ max: 2, per: 1_000 })).rejects.toThrow(/max must be at least the queue's 3 shards/);
  await queue.setRateLimit(null);
  expect(await queue.getRateLimit()).toBeNull();
  // The feed tells of each change once, not once per shard.
  const changes = (await queue.readEvents()).filter((event) => event.event === 'rateLimit');
  expect(changes.map((event) => event.detail)).toHaveLength(2);
});

test('at most max jobs start in the window, whichever shards hold them, until the limit is lifted', async () => {
  await queue.setRateLimit({ max: 3, per: 600_000 });
  await queue.pushBulk(Array.from({ length: 9 }, (_, n) => ({ type: 't', payload: { n } })));
  const worker = new RedisWorker(queue, { numWorkers: 9, pollTime: 100 });
  worker.registerHandler('t', () => ({ success: true }));
  void worker.start();
  try {
    // Three shards of three jobs each: a limit of max per shard would start all nine.
    await waitFor('three jobs done and the rest held', async () => {
      const { stats, rateLimited } = await queue.getOverview();
      return stats.completedJobs === 3 && stats.pendingJobs === 6 && rateLimited;
    });
    expect(await queue.getRateLimit()).toMatchObject({ max: 3, started: 3 });
    await queue.setRateLimit(null);
    await waitFor('every job to complete once lifted', async () => (await queue.getStats()).completedJobs === 9);
  } finally {
    await worker.stop();
  }
});
