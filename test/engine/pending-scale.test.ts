/**
 * Pending pages of a large queue (200,000 jobs over 4 levels): any page, the last one included, is
 * the right one, and reading it costs O(levels × log² n) list reads, not O(queue length). Costs are
 * counted in Redis's own command statistics on a private Redis, not timed.
 */
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { RedisQueue } from '../../src/index.js';
import { freePort, startPrivateRedis, uniquePrefix, type PrivateRedis } from '../helpers.js';

const BATCHES = 40;
const BATCH = 5_000;
const LEVELS = 4;
const TOTAL = BATCHES * BATCH;

describe('pending pages of 200,000 jobs', () => {
  let redis: PrivateRedis;
  let queue: RedisQueue;
  let admin: Redis;
  /** ids[b][j]: job j of batch b (its level is j % LEVELS). */
  const ids: string[][] = [];
  beforeAll(async () => {
    redis = await startPrivateRedis(await freePort());
    queue = await RedisQueue.connect('large', { url: redis.url, prefix: uniquePrefix('large') });
    admin = new Redis(redis.url);
    for (let b = 0; b < BATCHES; b++) {
      const jobs = await queue.pushBulk(Array.from({ length: BATCH }, (_, j) => ({ type: 't', priority: j % LEVELS })));
      ids.push(jobs.map((job) => job.id));
    }
  }, 120_000);
  afterAll(async () => {
    await queue.close();
    admin.disconnect();
    await redis.stop();
  });

  /**
   * The job at `offset`, newest first: batches newest first (each was stored at one time); within
   * a batch the highest level first; within a level the job stored last first.
   */
  function expectedAt(offset: number): string {
    const batch = BATCHES - 1 - Math.floor(offset / BATCH);
    const inBatch = offset % BATCH;
    const perLevel = BATCH / LEVELS;
    const level = LEVELS - 1 - Math.floor(inBatch / perLevel);
    const place = inBatch % perLevel;
    return ids[batch]![(perLevel - 1 - place) * LEVELS + level]!;
  }

  const expectedPage = (offset: number, limit: number) =>
    Array.from({ length: Math.max(0, Math.min(limit, TOTAL - offset)) }, (_, i) => expectedAt(offset + i));

  async function calls(command: string): Promise<number> {
    const match = new RegExp(`cmdstat_${command}:calls=(\\d+)`).exec(await admin.info('commandstats'));
    return match ? Number(match[1]) : 0;
  }

  test('any page is the right one, the last one too, each read in a bounded number of list reads', async () => {
    for (const offset of [0, 1, 4_999, 5_000, 61_237, 100_000, 150_001, 199_990, TOTAL - 20]) {
      await admin.config('RESETSTAT');
      const page = await queue.pageJobs('pending', { offset, limit: 20 });
      expect([offset, page.jobs.map((job) => job.id)]).toEqual([offset, expectedPage(offset, 20)]);
      expect(page.total).toBe(TOTAL);
      // Binary searches over 4 lists of 50,000: hundreds of reads, where a walk would be 100,000s.
      expect(await calls('lindex')).toBeLessThan(3_000);
      expect(await calls('hget')).toBeLessThan(3_000);
    }
    expect((await queue.listJobs('pending', { offset: TOTAL, limit: 20 }))).toEqual([]);
  });

  test('a cancel deep in a level costs a binary search, and pages go on without the job', async () => {
    const victim = expectedAt(123_456);
    await admin.config('RESETSTAT');
    await queue.cancelJob(victim);
    expect(await calls('lindex')).toBeLessThan(200);
    expect(await calls('lrange')).toBeLessThanOrEqual(1);
    expect((await queue.listJobs('pending', { offset: 123_455, limit: 3 })).map((job) => job.id))
      .toEqual([expectedAt(123_455), expectedAt(123_457), expectedAt(123_458)]);
    expect((await queue.getStats()).pendingJobs).toBe(TOTAL - 1);
  });
});
