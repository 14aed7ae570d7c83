/**
 * Deep pages of a sharded queue: each status's page at any offset is the same slice of its whole
 * listing, found by rank in every shard (sharded-pages.ts), not by reading each shard up to the
 * offset; the listing is in order across shards.
 */
import { afterEach, expect, test } from 'vitest';
import { RedisWorker, type Job, type RedisQueue } from '../../src/index.js';
import type { ListableStatus } from '../../src/engine/job-lists.js';
import { freshQueue, rawClient, waitFor } from '../helpers.js';

let cleanup: (() => Promise<void>) | undefined;
afterEach(async () => {
  await cleanup?.();
  cleanup = undefined;
});

/** Every page of `limit` at offsets a step apart equals that slice of the whole listing. */
async function expectPagesAreSlices(queue: RedisQueue, status: ListableStatus, whole: readonly Job[], limit: number): Promise<void> {
  for (let offset = 0; offset <= whole.length; offset += 7) {
    const page = await queue.listJobs(status, { offset, limit });
    expect([status, offset, page.map((job) => job.id)]).toEqual([status, offset, whole.slice(offset, offset + limit).map((job) => job.id)]);
  }
}

test('pages every waiting and finished status of a 3-shard queue by rank, in order across its shards', async () => {
  let queue: RedisQueue;
  ({ queue, cleanup } = await freshQueue('sharded-pages', { shards: 3, retryDelays: [600_000] }));
  // Pending: levels 0 to 4, in calls of their own (their own times) and in one batch (one time).
  for (let i = 0; i < 40; i++) await queue.push({ type: 'wait', priority: i % 5 });
  await queue.pushBulk(Array.from({ length: 60 }, (_, i) => ({ type: 'wait', priority: i % 3 })));
  // Delayed: run-ats spread over an hour, some shared.
  await queue.pushBulk(Array.from({ length: 50 }, (_, i) => ({ type: 'later', delay: 600_000 + (i % 17) * 60_000 })));
  // Finished and retrying: a queue of its own (the same shards), run by a worker.
  const done = queue.queue('sharded-done', { shards: 3, retryDelays: [600_000] });
  for (let i = 0; i < 30; i++) await done.push({ type: 'ok' });
  await done.pushBulk(Array.from({ length: 20 }, () => ({ type: 'bad', maxAttempts: 1 })));
  await done.pushBulk(Array.from({ length: 12 }, () => ({ type: 'bad', maxAttempts: 3 })));
  const worker = new RedisWorker(done, { numWorkers: 4, pollTime: 100 });
  worker.registerHandler('ok', () => ({ success: true }));
  worker.registerHandler('bad', () => ({ success: false, error: 'no' }));
  void worker.start();
  await waitFor('every job finished or retrying', async () => {
    const stats = await done.getStats();
    return stats.completedJobs === 30 && stats.failedJobs === 20 && stats.retryingJobs === 12;
  }, { timeoutMs: 20_000 });
  await worker.stop();

  for (const [q, status, count] of [[queue, 'pending', 100], [queue, 'delayed', 50], [done, 'completed', 30], [done, 'failed', 20], [done, 'retrying', 12]] as const) {
    const whole = await q.listJobs(status, { limit: 1_000 });
    expect([status, whole.length, (await q.pageJobs(status, { limit: 1 })).total]).toEqual([status, count, count]);
    // Jobs of every shard, in the listing's order across them.
    expect(new Set(whole.map((job) => job.id.split('-')[0])).size).toBe(3);
    const times = whole.map((job) => (status === 'delayed' ? -job.runAt!.getTime() : status === 'retrying' ? job.runAt!.getTime() : job.enteredAt.getTime()));
    expect(times).toEqual([...times].sort((a, b) => b - a));
    for (const limit of [1, 5, 13]) await expectPagesAreSlices(q, status, whole, limit);
  }
});

test('reads a bounded number of entries from each shard for a deep page, not every shard up to the offset', async () => {
  let queue: RedisQueue;
  let prefix: string;
  ({ queue, prefix, cleanup } = await freshQueue('sharded-deep', { shards: 3 }));
  await queue.pushBulk(Array.from({ length: 3_000 }, (_, i) => ({ type: 'later', delay: 600_000 + i * 1_000 })));
  await queue.pushBulk(Array.from({ length: 3_000 }, (_, i) => ({ type: 'wait', priority: i % 4 })));
  const wholes = { delayed: await queue.listJobs('delayed', { limit: 10_000 }), pending: await queue.listJobs('pending', { limit: 10_000 }) };
  // Every command the server runs for this queue's keys while the deep pages are read.
  const client = rawClient();
  const monitor = await client.monitor();
  const seen: string[][] = [];
  monitor.on('monitor', (_time: string, args: string[]) => {
    if (args.some((arg) => arg.startsWith(`${prefix}:`))) seen.push(args);
  });
  try {
    for (const status of ['delayed', 'pending'] as const) {
      const page = await queue.listJobs(status, { offset: 2_900, limit: 20 });
      expect([status, page.map((job) => job.id)]).toEqual([status, wholes[status].slice(2_900, 2_920).map((job) => job.id)]);
    }
    await waitFor('the monitor to catch up', () => seen.some((args) => args[0]!.toLowerCase() === 'hmget'));
  } finally {
    monitor.disconnect();
    client.disconnect();
  }
  const asked = (args: string[]) => {
    const command = args[0]!.toLowerCase();
    if (command === 'zrange' || command === 'zrevrange' || command === 'lrange') return Math.abs(Number(args[3]) - Number(args[2])) + 1;
    return args.length - 2;
  };
  const largest = Math.max(...seen.map(asked));
  expect(largest).toBeGreaterThan(0);
  expect(largest).toBeLessThanOrEqual(200);
});
