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

test('a level whose head jobs were cancelled or re-prioritised still reports the job waiting behind them', async () => {
  const first = await queue.push({ type: 't' });
  await after(first.createdAt.getTime());
  const second = await queue.push({ type: 't' });
  await after(second.createdAt.getTime());
  const waiting = await queue.push({ type: 't' });
  await after(waiting.createdAt.getTime());
  await queue.cancelJob(first.id);
  await queue.setPriority(second.id, 3);
  // Level 0's list now starts with two stale entries; the re-prioritised job entered level 3 just now.
  const overview = await queue.getOverview();
  expect(overview.oldestReadyAt!.getTime()).toBe(waiting.createdAt.getTime());
});

test('the oldest ready job is found past a long run of stale entries at the head of its level', async () => {
  const cancelled = await queue.pushBulk(Array.from({ length: 300 }, () => ({ type: 't' })));
  for (const job of cancelled) await queue.cancelJob(job.id);
  await after(cancelled[0]!.createdAt.getTime());
  const waiting = await queue.push({ type: 't' });
  expect((await queue.getOverview()).oldestReadyAt!.getTime()).toBe(waiting.createdAt.getTime());
});

test("a level's long run of stale entries does not hide the other levels' oldest job", async () => {
  const waiting = await queue.push({ type: 't', priority: 0 });
  await after(waiting.createdAt.getTime());
  const cancelled = await queue.pushBulk(Array.from({ length: 600 }, () => ({ type: 't', priority: 5 })));
  for (const job of cancelled) await queue.cancelJob(job.id);
  expect((await queue.getOverview()).oldestReadyAt!.getTime()).toBe(waiting.createdAt.getTime());
});
