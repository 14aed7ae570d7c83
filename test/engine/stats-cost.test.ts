/**
 * getStats costs the same however many priority levels are in use, and its ready count stays
 * true through every operation that moves a job in or out of the ready lists.
 */
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { RedisQueue } from '../../src/index.js';
import { freePort, startPrivateRedis, uniquePrefix, type PrivateRedis } from '../helpers.js';

describe('getStats with many priority levels', () => {
  let redis: PrivateRedis;
  let queue: RedisQueue;
  let admin: Redis;
  beforeAll(async () => {
    redis = await startPrivateRedis(await freePort());
    queue = await RedisQueue.connect('levels', { url: redis.url, prefix: uniquePrefix('levels') });
    admin = new Redis(redis.url);
  });
  afterAll(async () => {
    await queue.close();
    admin.disconnect();
    await redis.stop();
  });

  /** How often Redis ran `command` (inside scripts too) since the last reset. */
  async function calls(command: string): Promise<number> {
    const match = new RegExp(`cmdstat_${command}:calls=(\\d+)`).exec(await admin.info('commandstats'));
    return match ? Number(match[1]) : 0;
  }

  test('reads a bounded number of list heads and no list lengths, and counts right', async () => {
    await queue.pushBulk(Array.from({ length: 300 }, (_, i) => ({ type: 't', priority: i - 150 })));
    await admin.config('RESETSTAT');
    const stats = await queue.getStats();
    expect(stats.pendingJobs).toBe(300);
    expect(await calls('llen')).toBe(0);
    expect(await calls('lindex')).toBeLessThanOrEqual(32);
  });

  test('the ready count follows claims, cancels, priority changes, hand-backs and retries', async () => {
    const before = (await queue.getStats()).pendingJobs;
    const [a, b] = await queue.pushBulk([{ type: 't' }, { type: 't' }]);
    await queue.setPriority(a!.id, 1_000);
    await queue.cancelJob(b!.id);
    expect((await queue.getStats()).pendingJobs).toBe(before + 1);
    await queue.retryJob(b!.id);
    expect((await queue.getStats()).pendingJobs).toBe(before + 2);
    const popped = await queue.pop();
    expect(popped!.id).toBe(a!.id);
    expect((await queue.getStats()).pendingJobs).toBe(before + 1);
    await queue.cancelJob(a!.id);
    await queue.retryJob(a!.id);
    expect((await queue.getStats()).pendingJobs).toBe(before + 2);
  });
});
