/** getOverview's oldest ready job: the oldest across every priority level, whichever level holds it. */
import { afterEach, beforeEach, expect, test } from 'vitest';
import type { RedisQueue } from '../../src/index.js';
import { freshQueue, waitFor } from '../helpers.js';

let queue: RedisQueue;
let cleanup: () => Promise<void>;
beforeEach(async () => {
  ({ queue, cleanup } = await freshQueue('default'));
});
afterEach(async () => {
  await cleanup();
});

/** Resolves once the clock has moved past `ms`, so the next job's times differ from the last's. */
const after = (ms: number) => waitFor('the clock to move on', () => Date.now() > ms + 1, { intervalMs: 1 });

test('the oldest ready job is found whether it waits at a higher or a lower priority than newer ones', async () => {
  const low = await queue.push({ type: 't', priority: 0 });
  await after(low.createdAt.getTime());
  const high = await queue.push({ type: 't', priority: 5 });
  expect((await queue.getOverview()).oldestReadyAt!.getTime()).toBe(low.createdAt.getTime());
  await after(high.createdAt.getTime());
  await queue.cancelJob(low.id);
  const newer = await queue.push({ type: 't', priority: 0 });
  expect(newer.createdAt.getTime()).toBeGreaterThan(high.createdAt.getTime());
  expect((await queue.getOverview()).oldestReadyAt!.getTime()).toBe(high.createdAt.getTime());
});
