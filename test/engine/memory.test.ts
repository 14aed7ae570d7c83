/**
 * Redis memory per waiting job (issue 12: at most 130 bytes besides its payload), measured as
 * `used_memory` grows on a redis-server of the test's own, where nothing else allocates.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { describe, expect, it } from 'vitest';
import { RedisQueue } from '../../src/index.js';
import { usePrivateRedis } from '../helpers.js';

// Enough jobs that the jobs hash's bucket array (a power of two, 8 bytes a slot) counts as it does
// in a large queue: 3,000 jobs in 4,096 slots, 11 bytes a job.
const JOBS = 3_000;

describe('Redis memory per waiting job', () => {
  const redis = usePrivateRedis();

  /**
   * used_memory once it holds still (a growing hash rehashes in the background for a while),
   * without the clients' buffers: a bulk add's arguments sit in its connection's query buffer
   * until Redis's cron shrinks it, which is no job's memory.
   */
  async function settledMemory(): Promise<number> {
    const used = async () => {
      const info = await redis.admin.info('memory');
      return Number(/used_memory:(\d+)/.exec(info)![1]) - Number(/mem_clients_normal:(\d+)/.exec(info)![1]);
    };
    let last = await used();
    for (;;) {
      await sleep(200);
      const now = await used();
      if (now === last) return now;
      last = now;
    }
  }

  it('is at most 130 bytes besides a 100-byte payload', async () => {
    const queue = await RedisQueue.connect('mem', { url: redis.url, prefix: 'mem' });
    const payload = { d: 'x'.repeat(92) };
    expect(Buffer.byteLength(JSON.stringify(payload))).toBe(100);
    // The queue's keys and the script library exist before the count starts.
    await queue.push({ type: 'noop', payload });
    const before = await settledMemory();
    for (let i = 0; i < JOBS; i += 1_000) await queue.pushBulk(Array.from({ length: 1_000 }, () => ({ type: 'noop', payload })));
    const perJob = (await settledMemory() - before) / JOBS;
    await queue.close();
    expect(perJob - 100).toBeLessThanOrEqual(130);
  });
});
