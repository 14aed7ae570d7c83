/**
 * Outcomes that Redis refuses to record (a proxy misspells the worker's finishJobs calls, so Redis
 * answers them with an error): a running worker keeps them and records them once Redis takes them
 * again; a stopping one gives up after its tries, so a stop never hangs on a Redis that refuses.
 */
import { pino } from 'pino';
import { afterEach, beforeEach, expect, test } from 'vitest';
import { RedisQueue, RedisWorker } from '../../src/index.js';
import { functionName } from '../../src/engine/library.js';
import { startFaultProxy, type FaultProxy } from '../fault-proxy.js';
import { deletePrefix, REDIS_URL, uniquePrefix, waitFor } from '../helpers.js';

const FINISH = functionName('finishJobs');
/** A refused try is two refusals: the call, and the call again after the library was reloaded. */
const REFUSALS_PER_TRY = 2;

let proxy: FaultProxy;
let queue: RedisQueue;
let worker: RedisWorker;
let prefix: string;
let logged: { level: number; msg: string; jobId?: string; jobs?: number }[];
let release: () => void;
let started: boolean;

beforeEach(async () => {
  proxy = await startFaultProxy({ host: '127.0.0.1', port: Number(new URL(REDIS_URL).port || 6379) });
  prefix = uniquePrefix('outcomes');
  queue = await RedisQueue.connect('q', { url: proxy.url, prefix });
  logged = [];
  const logger = pino({ level: 'info' }, { write: (line: string) => void logged.push(JSON.parse(line)) });
  // Four slots for one job: a claim asks for two (half the slots), comes back short, so the worker
  // knows the queue is empty and records the outcome on its own instead of with a next claim. A
  // long pollTime keeps the idle worker from claiming (which would take the outcome along) for as
  // long as a test runs.
  worker = new RedisWorker(queue, { numWorkers: 4, pollTime: 30_000, visibilityTimeout: 60_000, logger });
  started = false;
  const gate = new Promise<void>((resolve) => (release = resolve));
  worker.registerHandler('gated', async () => {
    started = true;
    await gate;
    return { success: true, data: 'done' };
  });
  void worker.start();
});

afterEach(async () => {
  proxy.allowCalls();
  release();
  await worker.stop({ timeout: 2_000 });
  await queue.close();
  await proxy.close();
  await deletePrefix(prefix);
});

/** Pushes a job, waits for its handler to start, then lets it end while Redis refuses outcomes. */
async function endWhileRefused(): Promise<string> {
  const { id } = await queue.push({ type: 'gated' });
  await waitFor('the handler to start', () => started);
  proxy.refuseCallsTo(FINISH);
  release();
  await waitFor('Redis to refuse the outcome', () => proxy.refusals >= REFUSALS_PER_TRY);
  return id;
}

test('an outcome Redis refused is recorded once Redis takes it again, with no claim to carry it', async () => {
  const id = await endWhileRefused();
  await waitFor('a second try', () => proxy.refusals >= 2 * REFUSALS_PER_TRY);
  expect(await queue.getJobStatus(id)).toBe('processing');
  expect(logged.some((line) => line.msg.startsWith('Redis unreachable'))).toBe(true);
  proxy.allowCalls();
  await waitFor('the outcome to be recorded', async () => (await queue.getJobStatus(id)) === 'completed');
  expect(await queue.getJob(id)).toMatchObject({ result: 'done', attempts: 1 });
  expect(logged.some((line) => line.msg.startsWith('Redis reachable again'))).toBe(true);
  expect(worker.isRunning()).toBe(true);
});

test("each of an idle worker's outcomes is recorded on its own, not only the first", async () => {
  for (let run = 1; run <= 2; run++) {
    const gate = new Promise<void>((resolve) => (release = resolve));
    started = false;
    worker.registerHandler('gated', async () => {
      started = true;
      await gate;
      return { success: true, data: run };
    });
    const { id } = await queue.push({ type: 'gated' });
    await waitFor(`job ${run} to start`, () => started);
    release();
    await waitFor(`job ${run}'s outcome to be recorded`, async () => (await queue.getJobStatus(id)) === 'completed');
  }
});

test('a stop while Redis refuses outcomes gives up after ten tries, leaving the job to its lease', async () => {
  const id = await endWhileRefused();
  await worker.stop(); // a stop that never gave up would hang here until the test's timeout
  expect(logged.filter((line) => line.msg.startsWith('could not record outcomes'))).toMatchObject([{ jobs: 1 }]);
  expect(proxy.refusals, 'the first try and ten more').toBe(11 * REFUSALS_PER_TRY);
  proxy.allowCalls();
  expect(await queue.getJobStatus(id)).toBe('processing');
});

test('an outcome refused until a stop is under way is recorded by that stop', async () => {
  const id = await endWhileRefused();
  const stopped = worker.stop();
  const refusedBeforeStop = proxy.refusals;
  await waitFor('a try after the stop began', () => proxy.refusals > refusedBeforeStop);
  proxy.allowCalls();
  await stopped;
  expect(await queue.getJobStatus(id)).toBe('completed');
  expect(logged.some((line) => line.msg.startsWith('could not record outcomes'))).toBe(false);
});

test('an outcome of a job cancelled before Redis took it is ignored, and the cancel stands', async () => {
  const id = await endWhileRefused();
  await queue.cancelJob(id);
  proxy.allowCalls();
  await waitFor('the outcome to be ignored', () => logged.some((line) => line.msg.startsWith('outcome ignored')));
  expect(logged.filter((line) => line.msg.startsWith('outcome ignored'))).toMatchObject([{ jobId: id }]);
  expect(await queue.getJob(id)).toMatchObject({ status: 'cancelled' });
  expect((await queue.getJob(id))!.result).toBeUndefined();
});
