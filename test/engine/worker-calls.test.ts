/**
 * A worker's calls to Redis, through a proxy that counts, stalls or refuses them (it misspells a
 * script's name, so Redis answers with an error). Outcomes refused are kept by a running worker until
 * Redis takes them, and logged as completed only then; a stop gives up after its tries. Renewals: none while idle, one at a time while
 * Redis is slow; refused, the worker says Redis is unreachable, then learns what became of its jobs.
 * Claims: none while every slot is busy; refused ones are sent again, and outcomes a refused claim
 * carried are recorded alone. A refused hand-back or handler-stop note is logged, not thrown.
 * Schedules: an idle worker reads the due ones at its start and at changes; a refused firing is
 * reported and fires once Redis takes it.
 */
import { pino } from 'pino';
import { afterEach, beforeEach, expect, test } from 'vitest';
import { JobAbortedError, RedisQueue, RedisWorker, type JobContext } from '../../src/index.js';
import { noteHandlerStop } from '../../src/engine/attempt-context.js';
import { functionName } from '../../src/engine/library.js';
import { startFaultProxy, type FaultProxy } from '../fault-proxy.js';
import { deletePrefix, REDIS_URL, uniquePrefix, waitFor } from '../helpers.js';
import { gate } from './worker-fixture.js';

const FINISH = functionName('finishJobs');
/** A refused call is two refusals: the call, and the call again after the library was reloaded. */
const REFUSALS_PER_TRY = 2;

let proxy: FaultProxy;
let queue: RedisQueue;
let worker: RedisWorker;
let prefix: string;
interface LogLine { level: number; msg: string; jobId?: string; type?: string; jobs?: number; err?: { message: string } }
let logged: LogLine[];
const saw = (start: string, lines = logged) => lines.some((line) => line.msg.startsWith(start));
/** A logger at info level whose lines land in `lines`. */
const loggerInto = (lines: LogLine[]) => pino({ level: 'info' }, { write: (line: string) => void lines.push(JSON.parse(line)) });
let release: () => void;
let started: boolean;
/** Workers of other queues behind the proxy (see workerOf), stopped after each test. */
const others: RedisWorker[] = [];

/**
 * A worker of its own queue behind the proxy that logs into `lines`, with handler `t`: apart from
 * the fixture's worker, which must not claim its jobs, and whose long pollTime would hold it up.
 */
function workerOf(name: string, lines: LogLine[], numWorkers = 1, pollTime = 100): { own: RedisQueue; w: RedisWorker } {
  const own = queue.queue(name);
  const w = new RedisWorker(own, { numWorkers, pollTime, logger: loggerInto(lines) });
  w.registerHandler('t', () => ({ success: true, data: 'ok' }));
  others.push(w);
  return { own, w };
}

beforeEach(async () => {
  proxy = await startFaultProxy({ host: '127.0.0.1', port: Number(new URL(REDIS_URL).port || 6379) });
  prefix = uniquePrefix('worker-calls');
  queue = await RedisQueue.connect('q', { url: proxy.url, prefix });
  logged = [];
  const logger = loggerInto(logged);
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
  await Promise.all([worker, ...others.splice(0)].map((w) => w.stop({ timeout: 2_000 })));
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
  expect(saw('job completed'), 'not while Redis refuses the outcome').toBe(false);
  proxy.allowCalls();
  await waitFor('the outcome to be recorded', async () => (await queue.getJobStatus(id)) === 'completed');
  expect(await queue.getJob(id)).toMatchObject({ result: 'done', attempts: 1 });
  expect(saw('Redis reachable again')).toBe(true);
  expect(saw('outcome ignored')).toBe(false);
  await waitFor('the completed line', () => saw('job completed'));
  expect(logged.filter((line) => line.msg === 'job completed')).toMatchObject([{ jobId: id, type: 'gated' }]);
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
  expect(saw('job completed'), 'an outcome Redis ignored is not logged as completed').toBe(false);
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
  // The proxy counts a refusal before its error reaches the worker: wait for the worker's word.
  await waitFor('the worker to say Redis is unreachable', () => saw('Redis unreachable'));
  expect(proxy.refusals).toBeGreaterThanOrEqual(REFUSALS_PER_TRY);
  await queue.cancelJob(id);
  await queue.removeJob(id);
  expect(reason, 'renewals are how a worker learns of a cancel').toBeUndefined();
  proxy.allowCalls();
  await waitFor('the handler to see the abort', () => reason !== undefined);
  expect(reason).toBeInstanceOf(JobAbortedError);
  expect(reason).toMatchObject({ kind: 'lease-lost', message: 'lease lost: the job is gone now' });
  expect(saw('Redis reachable again')).toBe(true);
});

test('an idle worker sends no lease renewals, and claims only when its quiet polls run out', async () => {
  const renewals = proxy.countCallsTo(functionName('extendLeases'));
  const claims = proxy.countCallsTo(functionName('claimJobs'));
  const polls = proxy.countCallsTo('blpop');
  await whileIdleWorkerRuns(async () => {
    // Twenty polls of about 100 ms: some renewal intervals (500 ms) would have passed.
    await waitFor('twenty idle polls', () => polls() >= 20);
    expect(renewals()).toBe(0);
    // Its first claim and one per ten quiet polls (the net for a lost wake marker), and maybe the
    // other worker's first: a handful, not a claim per turn.
    expect(claims()).toBeLessThanOrEqual(5);
  });
});

/** Runs `check` while a worker with nothing to do polls every 100 ms, then stops that worker. */
async function whileIdleWorkerRuns(check: () => Promise<void>): Promise<void> {
  const idle = new RedisWorker(queue, { pollTime: 100 });
  idle.registerHandler('unused', () => ({ success: true }));
  void idle.start();
  try {
    await check();
  } finally {
    await idle.stop();
  }
}

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

test('a worker whose every slot is busy sends no claim until one frees', async () => {
  const claims = [functionName('claimJobs'), functionName('finishAndClaimJobs')].map((name) => proxy.countCallsTo(name));
  const sent = () => claims.reduce((sum, count) => sum + count(), 0);
  await queue.pushBulk([1, 2, 3, 4].map(() => ({ type: 'gated' })));
  await waitFor('all four slots busy', () => worker.activeJobs === 4);
  const before = sent();
  // Nothing to wait for but time: a worker that claimed with no slot free would claim nonstop.
  await new Promise((resolve) => setTimeout(resolve, 1_000));
  expect(sent()).toBe(before);
  release();
  await waitFor('the four jobs to complete', async () => (await queue.getStats()).completedJobs === 4);
});

test('a worker whose claims Redis refuses says Redis is unreachable, and works the queue once Redis answers', async () => {
  const lines: LogLine[] = [];
  const { own, w } = workerOf('refused-claims', lines);
  proxy.refuseCallsTo(functionName('claimJobs'));
  void w.start();
  await waitFor('the worker to say Redis is unreachable', () => saw('Redis unreachable', lines));
  expect(proxy.refusals).toBeGreaterThanOrEqual(REFUSALS_PER_TRY);
  expect(lines.filter((line) => line.msg.startsWith('Redis unreachable'))).toMatchObject([{ level: 50, err: { message: expect.stringContaining('Function not found') } }]);
  const { id } = await own.push({ type: 't' });
  proxy.allowCalls();
  await waitFor('the job to complete', async () => (await own.getJobStatus(id)) === 'completed');
  expect(saw('Redis reachable again', lines)).toBe(true);
});

test('while Redis refuses the call that records outcomes and claims at once, outcomes are recorded alone and the queue is worked', async () => {
  const lines: LogLine[] = [];
  // One job per claim (two slots, two claims under way): each claim comes back full, so the
  // worker expects more jobs and sends its outcomes along with its next claim.
  const { own, w } = workerOf('refused-combined', lines, 2);
  const jobs = await own.pushBulk(Array.from({ length: 6 }, () => ({ type: 't', maxAttempts: 1 })));
  proxy.refuseCallsTo(functionName('finishAndClaimJobs'));
  void w.start();
  await waitFor('every job to complete', async () => (await own.getStats()).completedJobs === jobs.length);
  expect(proxy.refusals).toBeGreaterThanOrEqual(REFUSALS_PER_TRY);
  const stored = await Promise.all(jobs.map((job) => own.getJob(job.id)));
  expect(stored.map((job) => [job!.status, job!.attempts, job!.result])).toEqual(jobs.map(() => ['completed', 1, 'ok']));
});

test('a stop whose hand-back Redis refuses says so and leaves the job to its lease', async () => {
  const { id } = await queue.push({ type: 'gated' });
  await waitFor('the handler to start', () => started);
  proxy.refuseCallsTo(functionName('releaseJobs'));
  await worker.stop({ timeout: 100 }); // the handler ignores its abort: the stop hands the job back
  expect(logged.filter((line) => line.msg.startsWith('could not hand jobs back'))).toMatchObject([
    { level: 50, msg: 'could not hand jobs back; they run again once their lease expires', err: { message: expect.stringContaining('Function not found') } },
  ]);
  expect(saw('shutdown timeout')).toBe(false);
  proxy.allowCalls();
  expect(await queue.getJob(id)).toMatchObject({ status: 'processing', attempts: 1 });
});

test("a handler's stop noted on its context shows on its job; a note Redis refuses is logged, and the job runs on", async () => {
  let context: JobContext | undefined;
  worker.registerHandler('noted', async (ctx) => {
    context = ctx;
    await new Promise((resolve) => ctx.signal.addEventListener('abort', resolve));
    return { success: true };
  });
  const { id } = await queue.push({ type: 'noted' });
  const ctx = await waitFor('the handler to start', () => context);
  noteHandlerStop(ctx, 'stopping');
  await waitFor('the note on the job', async () => (await queue.getJob(id))?.handlerStop);
  expect((await queue.getJob(id))!.handlerStop).toEqual({ state: 'stopping', attempt: 1 });
  proxy.refuseCallsTo(functionName('markHandlerStop'));
  noteHandlerStop(ctx, 'killed');
  await waitFor('the refusal to be logged', () => saw('could not note'));
  expect(logged.filter((line) => line.msg.startsWith('could not note'))).toMatchObject([
    { level: 40, msg: 'could not note that the handler is killed', jobId: id, type: 'noted', err: { message: expect.stringContaining('Function not found') } },
  ]);
  proxy.allowCalls();
  expect(await queue.getJob(id)).toMatchObject({ status: 'processing', handlerStop: { state: 'stopping', attempt: 1 } });
  await queue.cancelJob(id);
  // A context that is not a worker's (a test's, a wrapper's) takes no note, and no harm.
  expect(() => noteHandlerStop({} as JobContext, 'killed')).not.toThrow();
});

test('a stop waits for a claim under way, and for the job it brings to run and be recorded', async () => {
  const polls = proxy.countCallsTo('blpop');
  const { w } = workerOf('stop-claim', [], 1, 30_000);
  const running = gate();
  w.registerHandler('t', async () => {
    started = true;
    await running.promise;
    return { success: true };
  });
  void w.start();
  await waitFor('the worker to wait for work', () => polls() > 0);
  // Pushed past the proxy, so that the push is not held with the claim's reply.
  const direct = await RedisQueue.connect('stop-claim', { url: REDIS_URL, prefix });
  try {
    const claims = proxy.countCallsTo(functionName('claimJobs'));
    proxy.holdAfterCallTo(functionName('claimJobs'));
    const { id } = await direct.push({ type: 't' });
    await waitFor('the claim the push brings', () => claims() > 0);
    let stopped = false;
    const stopping = w.stop().then(() => (stopped = true));
    proxy.release();
    await waitFor('the handler of the claimed job to start', () => started);
    expect(stopped, 'the stop waits for the running job').toBe(false);
    running.open();
    await stopping;
    expect(await direct.getJobStatus(id)).toBe('completed');
  } finally {
    await direct.close();
  }
});

test('a worker with every slot busy whose upkeep call Redis refuses, when a delayed job falls due, says Redis is unreachable', async () => {
  const lines: LogLine[] = [];
  const { own, w } = workerOf('refused-upkeep', lines, 1, 30_000);
  const running = gate();
  w.registerHandler('long', () => running.promise.then(() => ({ success: true })));
  // The claim that takes 'long' learns when 'later' falls due; then the slot is busy.
  await own.pushBulk([{ type: 'later', delay: 1_500 }, { type: 'long' }]);
  void w.start();
  await waitFor('the slot to be busy', () => w.activeJobs === 1);
  proxy.refuseCallsTo(functionName('claimJobs'));
  await waitFor('the refused upkeep to be logged', () => saw('Redis unreachable', lines));
  running.open();
});

test('an idle worker reads the due schedules at its start and at a change, not over and over', async () => {
  await worker.stop(); // only the worker of this test looks
  const dueReads = proxy.countCallsTo(functionName('getDueSchedules'));
  const polls = proxy.countCallsTo('blpop');
  await whileIdleWorkerRuns(async () => {
    await waitFor('a first idle poll', () => polls() >= 1);
    await queue.schedule('hourly', { cron: '0 * * * *' }, { type: 'unused' });
    const polled = polls();
    await waitFor('ten more idle polls', () => polls() >= polled + 10);
    // The runner's look at its start, the save's read of Redis' clock, the runner's look at the change.
    expect(dueReads()).toBeLessThanOrEqual(3);
  });
});

test('a worker whose schedule firing Redis refuses says Redis is unreachable, and fires once Redis takes it again', async () => {
  await worker.stop(); // only the worker of this test fires
  const firing = new RedisWorker(queue, { pollTime: 100, logger: loggerInto(logged) });
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

test('a progress report while Redis is away does not fail the job: the handler goes on, and the latest value is stored once Redis is back', async () => {
  const lines: LogLine[] = [];
  const own = queue.queue('progress-outage');
  const w = new RedisWorker(own, { numWorkers: 1, pollTime: 100, logger: loggerInto(lines) });
  others.push(w);
  let reported = false;
  let finish!: () => void;
  const finishing = new Promise<void>((resolve) => (finish = resolve));
  w.registerHandler('t', async (ctx: JobContext) => {
    await ctx.progress({ percent: 10 });
    proxy.startOutage();
    // Reported while no connection gets through: each resolves all the same.
    for (let i = 0; i < 3; i++) await ctx.progress({ percent: 50 });
    reported = true;
    await finishing;
    return { success: true, data: 'done' };
  });
  const job = await own.push({ type: 't', payload: {}, maxAttempts: 1 });
  const reports = proxy.countCallsTo(functionName('updateProgress'));
  void w.start();
  await waitFor('the reports made during the outage to return', () => reported, { timeoutMs: 30_000 });
  const beforeBack = reports();
  proxy.endOutage();
  await waitFor('the latest progress stored', async () => ((await own.getJob(job.id))?.progress as { percent?: number } | undefined)?.percent === 50, { timeoutMs: 20_000 });
  finish();
  await waitFor('the job completed', async () => (await own.getJob(job.id))?.status === 'completed', { timeoutMs: 20_000 });
  await new Promise((resolve) => setTimeout(resolve, 2_500));
  // One resend of the latest value, not one per report made meanwhile, and none after the job ended.
  expect(reports() - beforeBack).toBe(1);
});
