/**
 * FIFO among jobs of one priority holds through delays and hand-backs, not only for jobs that go
 * straight to their ready list.
 */
import { afterEach, beforeEach, expect, test } from 'vitest';
import { RedisWorker, type RedisQueue } from '../../src/index.js';
import { freshQueue, waitFor } from '../helpers.js';

let queue: RedisQueue;
let cleanup: () => Promise<void>;

beforeEach(async () => ({ queue, cleanup } = await freshQueue('fifo')));
afterEach(() => cleanup());

async function popAll(): Promise<number[]> {
  const order: number[] = [];
  for (let job = await queue.pop(); job; job = await queue.pop()) order.push(job.payload.n as number);
  return order;
}

test('jobs of one pushBulk with the same delay run in the order given', async () => {
  await queue.pushBulk(Array.from({ length: 8 }, (_, n) => ({ type: 't', payload: { n }, delay: 50 })));
  await waitFor('the jobs to be due', async () => (await queue.getStats()).delayedJobs === 0);
  expect(await popAll()).toEqual([0, 1, 2, 3, 4, 5, 6, 7]);
});

test('jobs handed back by stop({ timeout }) run again in their order, ahead of later ones', async () => {
  await queue.pushBulk(Array.from({ length: 4 }, (_, n) => ({ type: 't', payload: { n } })));
  const worker = new RedisWorker(queue, { numWorkers: 4, pollTime: 100 });
  let started = 0;
  worker.registerHandler('t', async (ctx) => {
    started++;
    await new Promise((resolve) => ctx.signal.addEventListener('abort', resolve));
    return { success: true };
  });
  void worker.start();
  await waitFor('all four to run', () => started === 4);
  await queue.push({ type: 't', payload: { n: 4 } });
  await worker.stop({ timeout: 50 });
  expect(await popAll()).toEqual([0, 1, 2, 3, 4]);
});
