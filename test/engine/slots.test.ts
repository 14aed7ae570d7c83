/**
 * A worker's slots: attempts are told apart by lease, a slot stays taken until its handler has
 * really returned, and a worker claims no job it has no handler for while another worker has one.
 */
import { afterEach, beforeEach, expect, test } from 'vitest';
import { pino } from 'pino';
import { RedisWorker, type RedisQueue } from '../../src/index.js';
import { DEFAULTS } from '../../src/engine/defaults.js';
import { queueKeys } from '../../src/engine/keys.js';
import { freshQueue, rawClient, waitFor } from '../helpers.js';

let queue: RedisQueue;
let cleanup: () => Promise<void>;
const workers: RedisWorker[] = [];

beforeEach(async () => ({ queue, cleanup } = await freshQueue('slots')));
afterEach(async () => {
  await Promise.all(workers.splice(0).map((w) => w.stop({ timeout: 2_000 })));
  await cleanup();
});

function worker(numWorkers: number, logs: string[] = []): RedisWorker {
  const logger = pino({ level: 'info' }, { write: (line: string) => void logs.push(JSON.parse(line).msg as string) });
  const w = new RedisWorker(queue, { numWorkers, pollTime: 100, logger });
  workers.push(w);
  return w;
}

test('a handler that ignores its abort keeps its slot: a retry of its job never runs more than numWorkers at once', async () => {
  const w = worker(2);
  let running = 0;
  let peak = 0;
  let aborted = 0;
  const release: (() => void)[] = [];
  w.registerHandler('stubborn', async (ctx) => {
    peak = Math.max(peak, ++running);
    ctx.signal.addEventListener('abort', () => aborted++);
    await new Promise<void>((resolve) => release.push(resolve)); // ignores ctx.signal
    running--;
    return { success: true };
  });
  void w.start();
  const a = await queue.push({ type: 'stubborn' });
  await waitFor('a to run', () => running === 1);
  await queue.cancelJob(a.id);
  await waitFor('the cancelled attempt to see its abort', () => aborted === 1);
  await queue.retryJob(a.id);
  await waitFor('the retried attempt to run beside the cancelled one', () => running === 2);
  expect(w.activeJobs).toBe(2);
  await queue.push({ type: 'stubborn' });
  // Both slots are taken, the cancelled attempt's too: the new job must not start. Counting that
  // attempt by job id alone lost it when its retry was claimed, and freed a third slot.
  await waitFor('a third handler', () => running === 3, { timeoutMs: 1_000 }).catch(() => undefined);
  expect(peak).toBe(2);
  await waitFor('every job to complete', async () => {
    release.splice(0).forEach((open) => open());
    return (await queue.getStats()).completedJobs === 2;
  });
  expect(peak).toBe(2);
});

test('a worker with no handler claims nothing and says so; one registered later starts it', async () => {
  const logs: string[] = [];
  const w = worker(1, logs);
  void w.start();
  const job = await queue.push({ type: 'late' });
  await waitFor('the warning', () => logs.some((msg) => msg.includes('no handler registered')));
  expect(await queue.getJobStatus(job.id)).toBe('pending');
  w.registerHandler('late', () => ({ success: true }));
  await waitFor('the job to complete', async () => (await queue.getJobStatus(job.id)) === 'completed');
});

test('a job of a type only another live worker handles goes to that worker, not to failed', async () => {
  const withType = worker(1);
  let unblock!: () => void;
  const blocker = new Promise<void>((resolve) => (unblock = resolve));
  const ranOn: string[] = [];
  withType.registerHandler('rare', async (_ctx, job) => {
    if (job.payload.block) await blocker;
    ranOn.push(job.id);
    return { success: true };
  });
  void withType.start();
  await queue.push({ type: 'rare', payload: { block: true } });
  await waitFor('the worker with the type to be busy', () => withType.activeJobs === 1);
  const handOnLogs: string[] = [];
  const withoutType = worker(1, handOnLogs);
  withoutType.registerHandler('other', () => ({ success: true }));
  void withoutType.start();
  // Only the worker without the type has a free slot: it claims the job and must hand it on.
  const job = await queue.push({ type: 'rare' });
  await waitFor('the job to be handed back', async () => (await queue.readEvents('0'))
    .some((e) => e.event === 'pending' && e.detail === 'released' && e.jobIds.includes(job.id)));
  expect(handOnLogs).toContain('no handler here for this type: job handed to the workers that have one');
  unblock();
  await waitFor('the job to complete', async () => (await queue.getJobStatus(job.id)) === 'completed', { timeoutMs: 20_000 });
  expect(ranOn).toContain(job.id);
  expect((await queue.getJob(job.id))!.attempts).toBe(1);
});

test('a job of a type no live worker handles fails for good, naming the type', async () => {
  const w = worker(1);
  w.registerHandler('other', () => ({ success: true }));
  void w.start();
  const job = await queue.push({ type: 'nobody' });
  await waitFor('the job to fail', async () => (await queue.getJobStatus(job.id)) === 'failed');
  expect((await queue.getJob(job.id))!.error).toBe('no handler registered for job type "nobody"');
});

test("a worker whose heartbeat went quiet is not handed jobs: a job only it could run fails for good", async () => {
  // A worker with the type that last beat four heartbeats ago (hung, or killed without a clean stop).
  const quietSince = Date.now() - 4 * DEFAULTS.heartbeatInterval;
  const beat = { host: 'gone', pid: 1, busy: 0, concurrency: 1, types: ['rare'], startedAt: quietSince, lastFetchAt: quietSince, lastSeenAt: quietSince };
  const raw = rawClient();
  try {
    await raw.hset(queueKeys(queue.prefix, queue.name).workers, 'gone:1:abc', JSON.stringify(beat));
  } finally {
    raw.disconnect();
  }
  expect(await queue.getWorkers()).toMatchObject([{ id: 'gone:1:abc', healthy: false, types: ['rare'] }]);
  const w = worker(1);
  w.registerHandler('other', () => ({ success: true }));
  void w.start();
  const job = await queue.push({ type: 'rare' });
  await waitFor('the job to fail', async () => (await queue.getJobStatus(job.id)) === 'failed');
  expect((await queue.getJob(job.id))!.error).toBe('no handler registered for job type "rare"');
});
