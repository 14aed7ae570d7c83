/**
 * Retention keeps pace with any number of outcomes per call: a worker with hundreds of slots
 * records hundreds of outcomes at once, and the finished lists must still stay at their limit.
 */
import { afterEach, beforeEach, expect, test } from 'vitest';
import { RedisWorker, type RedisQueue } from '../../src/index.js';
import { queueKeys } from '../../src/engine/keys.js';
import { freshQueue, rawClient, waitFor } from '../helpers.js';

let queue: RedisQueue;
let prefix: string;
let cleanup: () => Promise<void>;
let worker: RedisWorker | undefined;

beforeEach(async () => {
  ({ queue, prefix, cleanup } = await freshQueue('keep', { keepCompleted: { count: 200 } }));
});
afterEach(async () => {
  await worker?.stop({ timeout: 2_000 });
  await cleanup();
});

test('400 slots and 6,000 jobs keep at most keepCompleted.count completed jobs', async () => {
  worker = new RedisWorker(queue, { numWorkers: 400, pollTime: 100 });
  let done = 0;
  worker.registerHandler('t', async () => {
    // Async, so that many slots finish in one turn and one call records their outcomes together.
    await new Promise((resolve) => setImmediate(resolve));
    done++;
    return { success: true };
  });
  for (let i = 0; i < 6; i++) await queue.pushBulk(Array.from({ length: 1_000 }, () => ({ type: 't' })));
  void worker.start();
  await waitFor('every job to run', () => done === 6_000, { timeoutMs: 30_000 });
  await worker.stop();
  expect((await queue.getStats()).completedJobs).toBeLessThanOrEqual(200);
  // And so does the list behind them: memory stays at the limit too.
  const raw = rawClient();
  try {
    expect(await raw.llen(queueKeys(prefix, queue.name).completed)).toBeLessThanOrEqual(200);
  } finally {
    raw.disconnect();
  }
});
