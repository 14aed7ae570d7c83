import { afterEach, beforeEach, expect, it } from 'vitest';
import { RedisWorker, type Job } from '../../src/index.js';
import { searchTab } from '../../src/tui/lookups.js';
import { freshQueue, waitFor } from '../helpers.js';

let f: Awaited<ReturnType<typeof freshQueue>>;
beforeEach(async () => (f = await freshQueue('lookups')));
afterEach(() => f.cleanup());

it('a search of finished jobs matches each job once, though pages that skip removed jobs overlap', async () => {
  await f.queue.pushBulk(Array.from({ length: 250 }, (_unused, i) => ({ type: 't', payload: { n: i } })));
  const worker = new RedisWorker(f.queue, { numWorkers: 1, pollTime: 50 });
  worker.registerHandler('t', () => ({ success: true }));
  const running = worker.start();
  await waitFor('every job to complete', async () => (await f.queue.getStats()).completedJobs === 250, { timeoutMs: 20_000 });
  await worker.stop();
  await running;
  // Ten removed among the newest 200 leave their places behind: the first page of 200 reads past them.
  const newestFirst = (await f.queue.listJobs('completed', { limit: 250 })).map((job) => job.id);
  for (const id of newestFirst.slice(20, 30)) await f.queue.removeJob(id);
  const { matches } = await searchTab(f.queue, 'completed', '', 1_000, (job: Job) => job);
  expect(matches.map((job) => job.id)).toEqual(newestFirst.filter((id) => !newestFirst.slice(20, 30).includes(id)));
});
