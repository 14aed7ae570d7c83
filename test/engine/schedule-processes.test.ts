/** One job per tick however many processes run workers for the queue. */
import { afterEach, beforeAll, describe, expect, test } from 'vitest';
import { REDIS_URL, freshQueue, waitFor } from '../helpers.js';
import { requireBuild, startChild, type Child } from './processes.js';
import type { RedisQueue } from '../../src/index.js';

const FIXTURE = new URL('../fixtures/schedule-worker.mjs', import.meta.url).pathname;

describe('a schedule with several worker processes', () => {
  let children: Child[] = [];
  let cleanup: (() => Promise<void>) | undefined;
  beforeAll(requireBuild);
  afterEach(async () => {
    await Promise.all(children.map((child) => child.stop()));
    children = [];
    await cleanup?.();
  });

  const done = async (queue: RedisQueue) => {
    const stats = await queue.getStats();
    return stats.completedJobs + stats.pendingJobs + stats.processingJobs;
  };

  test('every second for 6 s with 3 worker processes gives 6 jobs (±1), not 18', async () => {
    const fresh = await freshQueue('sched');
    cleanup = fresh.cleanup;
    const { queue, prefix } = fresh;
    await queue.schedule('tick', { every: 1_000 }, { type: 'tick' });
    const env = { REDIS_URL, FLEXQ_PREFIX: prefix, FLEXQ_QUEUE: 'sched' };
    children = [1, 2, 3].map(() => startChild(process.execPath, [FIXTURE], env));
    await Promise.all(children.map((child) => child.line(/READY/)));
    // Count from the first run after all three are up, so start-up time does not count.
    const before = await done(queue);
    await waitFor('a run with all three up', async () => (await done(queue)) > before, { timeoutMs: 5_000 });
    const start = await done(queue);
    await new Promise((resolve) => setTimeout(resolve, 6_000));
    const added = (await done(queue)) - start;
    expect(added).toBeGreaterThanOrEqual(5);
    expect(added).toBeLessThanOrEqual(7);
  });
});
