/**
 * Idle workers: a far-off due time costs no spinning, and a ready job starts on any idle worker,
 * even when another worker's leftover wait took the marker meant for it.
 */
import { Redis } from 'ioredis';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, test } from 'vitest';
import { RedisQueue, RedisWorker } from '../../src/index.js';
import { freePort, freshQueue, startPrivateRedis, uniquePrefix, waitFor, type PrivateRedis } from '../helpers.js';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('an idle worker and a job due in 25 days', () => {
  let redis: PrivateRedis;
  beforeAll(async () => (redis = await startPrivateRedis(await freePort())));
  afterAll(() => redis.stop());

  test('sends a handful of commands, not thousands (a timer over 2^31-1 ms fires at once)', async () => {
    const queue = await RedisQueue.connect('far', { url: redis.url, prefix: uniquePrefix('far') });
    const worker = new RedisWorker(queue, { pollTime: 1_000 });
    worker.registerHandler('t', () => ({ success: true }));
    void worker.start();
    await queue.pushDelayed({ type: 't' }, 25 * 24 * 3_600_000);
    await sleep(300);
    const info = new Redis(redis.url);
    const commands = async () => Number(/total_commands_processed:(\d+)/.exec(await info.info('stats'))![1]);
    const before = await commands();
    await sleep(2_000);
    const sent = (await commands()) - before;
    await worker.stop();
    await queue.close();
    info.disconnect();
    // Two BLPOPs, a heartbeat and the INFO calls; the overflowing timer sent over 9,000.
    expect(sent).toBeLessThan(30);
  });
});

describe('two idle one-slot workers and two jobs due together', () => {
  let queue: RedisQueue;
  let cleanup: () => Promise<void>;
  const workers: RedisWorker[] = [];
  beforeEach(async () => ({ queue, cleanup } = await freshQueue('due')));
  afterEach(async () => {
    await Promise.all(workers.splice(0).map((w) => w.stop({ timeout: 5_000 })));
    await cleanup();
  });

  test('both start at once: the worker whose timer fired passes on the marker its leftover wait took', async () => {
    let running = 0;
    let peak = 0;
    const start = (pollTime: number) => {
      const worker = new RedisWorker(queue, { numWorkers: 1, pollTime });
      worker.registerHandler('slow', async () => {
        peak = Math.max(peak, ++running);
        await sleep(3_000);
        running--;
        return { success: true };
      });
      workers.push(worker);
      void worker.start();
    };
    // A blocks first and long, so it takes the marker of the dispatch and alone learns the due
    // time; B's short waits queue up behind A's, so A's wait is first in line when the jobs fall due.
    start(60_000);
    await sleep(300);
    start(1_000);
    await sleep(1_200);
    await queue.pushBulk([{ type: 'slow', delay: 2_500 }, { type: 'slow', delay: 2_500 }]);
    await waitFor('both jobs to finish', async () => (await queue.getStats()).completedJobs === 2, { timeoutMs: 15_000 });
    expect(peak).toBe(2);
  });
});
