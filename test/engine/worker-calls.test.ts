/**
 * A worker's calls to Redis, through a proxy that counts them, stalls them or makes Redis refuse
 * them (it misspells a script's name, so Redis answers those calls with an error). Outcomes: a
 * running worker keeps refused ones and records them once Redis takes them again, however long that
 * takes; a stopping one gives up after its tries, so a stop never hangs on a Redis that refuses.
 * Lease renewals: none while idle, one at a time while Redis is slow, and a worker whose renewals
 * were refused says Redis is unreachable, then learns what became of its jobs meanwhile.
 */
import { pino } from 'pino';
import { afterEach, beforeEach, expect, test } from 'vitest';
import { JobAbortedError, RedisQueue, RedisWorker } from '../../src/index.js';
import { functionName } from '../../src/engine/library.js';
import { startFaultProxy, type FaultProxy } from '../fault-proxy.js';
import { deletePrefix, REDIS_URL, uniquePrefix, waitFor } from '../helpers.js';

const FINISH = functionName('finishJobs');
/** A refused call is two refusals: the call, and the call again after the library was reloaded. */
const REFUSALS_PER_TRY = 2;

let proxy: FaultProxy;
let queue: RedisQueue;
let worker: RedisWorker;
let prefix: string;
let logged: { level: number; msg: string; jobId?: string; jobs?: number }[];
/** A logger whose lines land in `logged`. */
const capturedLog = () => pino({ level: 'info' }, { write: (line: string) => void logged.push(JSON.parse(line)) });
const saw = (start: string) => logged.some((line) => line.msg.startsWith(start));
let release: () => void;
let started: boolean;

beforeEach(async () => {
  proxy = await startFaultProxy({ host: '127.0.0.1', port: Number(new URL(REDIS_URL).port || 6379) });
  prefix = uniquePrefix('worker-calls');
  queue = await RedisQueue.connect('q', { url: proxy.url, prefix });
  logged = [];
  const logger = capturedLog();
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
  proxy.release();
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

test('an outcome Redis refused is recorded once Redis takes it again, however many tries that takes', async () => {
  const id = await endWhileRefused();
  // More tries than a stop would make (eleven): a running worker never gives up on an outcome.
  await waitFor('twelve tries', () => proxy.refusals >= 12 * REFUSALS_PER_TRY, { timeoutMs: 20_000 });
  expect(await queue.getJobStatus(id)).toBe('processing');
  expect(saw('Redis unreachable')).toBe(true);
  proxy.allowCalls();
  await waitFor('the outcome to be recorded', async () => (await queue.getJobStatus(id)) === 'completed');
  expect(await queue.getJob(id)).toMatchObject({ result: 'done', attempts: 1 });
  expect(saw('Redis reachable again')).toBe(true);
  expect(saw('outcome ignored')).toBe(false);
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
  expect(saw('could not record outcomes')).toBe(false);
});

test('an outcome of a job cancelled before Redis took it is ignored, and the cancel stands', async () => {
  const id = await endWhileRefused();
  await queue.cancelJob(id);
  proxy.allowCalls();
  await waitFor('the outcome to be ignored', () => saw('outcome ignored'));
  expect(logged.filter((line) => line.msg.startsWith('outcome ignored'))).toMatchObject([{ jobId: id }]);
  expect(await queue.getJob(id)).toMatchObject({ status: 'cancelled' });
  expect((await queue.getJob(id))!.result).toBeUndefined();
});

test('a job cancelled and removed while renewals were refused is aborted as gone once they get through', async () => {
  let reason: unknown;
  worker.registerHandler('stubborn', async (ctx) => {
    started = true;
    await new Promise((resolve) => ctx.signal.addEventListener('abort', resolve));
    reason = ctx.signal.reason;
    return { success: true };
  });
  const { id } = await queue.push({ type: 'stubborn' });
  await waitFor('the handler to start', () => started);
  proxy.refuseCallsTo(functionName('extendLeases'));
  await waitFor('Redis to refuse a renewal', () => proxy.refusals >= REFUSALS_PER_TRY);
  expect(saw('Redis unreachable')).toBe(true);
  await queue.cancelJob(id);
  await queue.removeJob(id);
  expect(reason, 'renewals are how a worker learns of a cancel').toBeUndefined();
  proxy.allowCalls();
  await waitFor('the handler to see the abort', () => reason !== undefined);
  expect(reason).toBeInstanceOf(JobAbortedError);
  expect(reason).toMatchObject({ kind: 'lease-lost', message: 'lease lost: the job is gone now' });
  expect(saw('Redis reachable again')).toBe(true);
});

test('an idle worker sends no lease renewals', async () => {
  const renewals = proxy.countCallsTo(functionName('extendLeases'));
  const polls = proxy.countCallsTo('blpop');
  const idle = new RedisWorker(queue, { pollTime: 100 });
  idle.registerHandler('unused', () => ({ success: true }));
  void idle.start();
  try {
    // Twenty polls of about 100 ms: some renewal intervals (500 ms) would have passed.
    await waitFor('twenty idle polls', () => polls() >= 20);
    expect(renewals()).toBe(0);
  } finally {
    await idle.stop();
  }
});

test('renewals do not pile up while Redis is slow to answer: one is under way at a time', async () => {
  const renewals = proxy.countCallsTo(functionName('extendLeases'));
  const { id } = await queue.push({ type: 'gated' });
  await waitFor('the handler to start', () => started);
  await waitFor('a renewal', () => renewals() >= 1);
  proxy.hold();
  const sent = renewals();
  // Nothing to wait for but time: four renewal intervals (500 ms each) while Redis stalls. One
  // renewal may go out into the stall (none, if one was under way when it began), no more.
  await new Promise((resolve) => setTimeout(resolve, 2_000));
  expect(renewals() - sent).toBeLessThanOrEqual(1);
  proxy.release();
  release();
  await waitFor('the job to complete', async () => (await queue.getJobStatus(id)) === 'completed');
});

test('an idle worker reads the due schedules at its start and at a change, not over and over', async () => {
  await worker.stop(); // only the worker of this test looks
  const dueReads = proxy.countCallsTo(functionName('getDueSchedules'));
  const polls = proxy.countCallsTo('blpop');
  const idle = new RedisWorker(queue, { pollTime: 100 });
  idle.registerHandler('unused', () => ({ success: true }));
  void idle.start();
  try {
    await waitFor('a first idle poll', () => polls() >= 1);
    await queue.schedule('hourly', { cron: '0 * * * *' }, { type: 'unused' });
    const polled = polls();
    await waitFor('ten more idle polls', () => polls() >= polled + 10);
    // The runner's look at its start, the save's read of Redis' clock, the runner's look at the change.
    expect(dueReads()).toBeLessThanOrEqual(3);
  } finally {
    await idle.stop();
  }
});

test('a worker whose schedule firing Redis refuses says Redis is unreachable, and fires once Redis takes it again', async () => {
  await worker.stop(); // only the worker of this test fires
  const firing = new RedisWorker(queue, { pollTime: 100, logger: capturedLog() });
  firing.registerHandler('ping', () => ({ success: true }));
  proxy.refuseCallsTo(functionName('fireSchedule'));
  void firing.start();
  try {
    await queue.schedule('tick', { every: 1_000 }, { type: 'ping' });
    await waitFor('the refusal to be reported', () => saw('Redis unreachable'));
    proxy.allowCalls();
    await waitFor('the tick to fire', async () => (await queue.listSchedules())[0]!.lastJobId !== undefined);
  } finally {
    await firing.stop();
  }
});
