import { describe, expect, test } from 'vitest';
import { pino } from 'pino';
import { Writable } from 'node:stream';
import { performance } from 'node:perf_hooks';
import {
  JobAbortedError, PermanentError, RedisWorker, ValidationError, handlerFunc, type Job,
} from '../../src/index.js';
import { rawClient, waitFor } from '../helpers.js';
import { gate, useWorkerFixture } from './worker-fixture.js';

const f = useWorkerFixture();

describe('running jobs', () => {
  test('a handler result is stored with processedAt', async () => {
    const w = f.worker();
    w.registerHandler('sum', handlerFunc((_ctx, job) => ({ success: true, data: { sum: (job.payload.a as number) + 1 } })));
    void w.start();
    const job = await f.dispatcher.dispatch('sum', { a: 41 });
    await waitFor('completion', async () => (await f.statusOf(job)) === 'completed');
    const stored = (await f.queue.getJob(job.id))!;
    expect(stored).toMatchObject({ result: { sum: 42 }, attempts: 1 });
    expect(stored.processedAt!.getTime()).toBeGreaterThanOrEqual(stored.createdAt.getTime());
  });

  test('at most numWorkers handlers run at once', async () => {
    const w = f.worker({ numWorkers: 3 });
    let running = 0;
    let peak = 0;
    w.registerHandler('slow', async () => {
      peak = Math.max(peak, ++running);
      await new Promise((resolve) => setTimeout(resolve, 30));
      running--;
      return { success: true };
    });
    void w.start();
    await f.queue.pushBulk(Array.from({ length: 12 }, () => ({ type: 'slow' })));
    await waitFor('all done', async () => (await f.queue.getStats()).completedJobs === 12);
    expect(peak).toBe(3);
  });

  test('a failed attempt retries after its delay, then fails for good with the last error', async () => {
    const w = f.worker();
    const runs: number[] = [];
    w.registerHandler('flaky', (_ctx, job) => {
      runs.push(Date.now());
      return { success: false, error: `boom ${job.attempts}` };
    });
    void w.start();
    const job = await f.dispatcher.dispatch('flaky', {}, { maxAttempts: 3 });
    await waitFor('retrying', async () => (await f.statusOf(job)) === 'retrying');
    await waitFor('failed', async () => (await f.statusOf(job)) === 'failed');
    const stored = (await f.queue.getJob(job.id))!;
    expect(stored).toMatchObject({ attempts: 3, error: 'boom 3' });
    expect(stored.failedAt).toBeInstanceOf(Date);
    expect(stored.history!.map(({ attempt, outcome, error }) => ({ attempt, outcome, error }))).toEqual([
      { attempt: 1, outcome: 'retrying', error: 'boom 1' },
      { attempt: 2, outcome: 'retrying', error: 'boom 2' },
      { attempt: 3, outcome: 'failed', error: 'boom 3' },
    ]);
    expect(runs).toHaveLength(3);
    expect(runs[1]! - runs[0]!).toBeGreaterThanOrEqual(45);
    expect(runs[2]! - runs[1]!).toBeGreaterThanOrEqual(95);
  });

  test('a retried attempt sees the earlier error and attempts in its job; a first attempt sees none', async () => {
    const w = f.worker();
    const seen: { attempts: number; error?: string; history?: string[] }[] = [];
    w.registerHandler('flaky', (_ctx, job) => {
      seen.push({ attempts: job.attempts, error: job.error, history: job.history?.map((h) => h.error) });
      return job.attempts === 1 ? { success: false, error: 'first try failed' } : { success: true };
    });
    void w.start();
    const job = await f.dispatcher.dispatch('flaky', {}, { maxAttempts: 2 });
    await waitFor('completed', async () => (await f.statusOf(job)) === 'completed');
    expect(seen).toEqual([
      { attempts: 1, error: undefined, history: undefined },
      { attempts: 2, error: 'first try failed', history: ['first try failed'] },
    ]);
  });

  test('retry: false, PermanentError and a missing handler fail for good at once', async () => {
    const w = f.worker();
    w.registerHandler('no-retry', () => ({ success: false, error: 'bad input', retry: false }));
    w.registerHandler('permanent', () => {
      throw new PermanentError('never works');
    });
    void w.start();
    const a = await f.dispatcher.dispatch('no-retry', {});
    const b = await f.dispatcher.dispatch('permanent', {});
    const c = await f.dispatcher.dispatch('unknown-type', {});
    for (const job of [a, b, c]) await waitFor('failed', async () => (await f.statusOf(job)) === 'failed');
    expect(await f.queue.getJob(a.id)).toMatchObject({ attempts: 1, error: 'bad input' });
    expect(await f.queue.getJob(b.id)).toMatchObject({ attempts: 1, error: 'never works' });
    expect(await f.queue.getJob(c.id)).toMatchObject({ attempts: 1, error: 'no handler registered for job type "unknown-type"' });
  });

  test('a thrown or rejected error counts as a failure with its message', async () => {
    const w = f.worker();
    w.registerHandler('throws', async () => {
      throw new Error('kaput');
    });
    void w.start();
    const job = await f.dispatcher.dispatch('throws', {}, { maxAttempts: 1 });
    await waitFor('failed', async () => (await f.statusOf(job)) === 'failed');
    expect((await f.queue.getJob(job.id))!.error).toBe('kaput');
  });

  test('a handler registered after the worker has claimed is used', async () => {
    const w = f.worker();
    w.registerHandler('first', () => ({ success: true }));
    void w.start();
    const first = await f.dispatcher.dispatch('first', {});
    await waitFor('the first job completed', async () => (await f.statusOf(first)) === 'completed');
    expect(w.isRunning()).toBe(true);
    w.registerHandler('late', () => ({ success: true, data: 'ok' }));
    const job = await f.dispatcher.dispatch('late', {});
    await waitFor('completed', async () => (await f.statusOf(job)) === 'completed');
    expect(await f.queue.getJob(job.id)).toMatchObject({ attempts: 1, result: 'ok' });
  });

  test('a ready job starts without waiting for pollTime', async () => {
    // A queue of its own name, so its blocking connection is told apart in CLIENT LIST.
    const name = `idle-${f.prefix.slice(-10)}`;
    const own = f.queue.queue(name);
    const w = new RedisWorker(own, { pollTime: 60_000 });
    f.track(w);
    const started = gate();
    w.registerHandler('fast', () => {
      started.open();
      return { success: true };
    });
    void w.start();
    const raw = rawClient();
    try {
      await waitFor('the worker to block in its idle wait', async () =>
        ((await raw.call('CLIENT', 'LIST')) as string).split('\n').some((line) => line.includes(`name=flexq:${name}:wait `) && / cmd=blpop/.test(line)));
    } finally {
      raw.disconnect();
    }
    await own.push({ type: 'fast' });
    // Far less than pollTime (60 s): the push woke the idle worker.
    await waitFor('the handler to start', () => started.settled(), { timeoutMs: 10_000 });
    await w.stop();
    await own.close();
  });

  test('delayed and retrying jobs run on time even with a long pollTime, and not before their time', async () => {
    await f.reopen('work', { retryDelays: [800] });
    const w = f.worker({ pollTime: 60_000 });
    const runs = new Map<string, number[]>();
    const record = (job: Job) => {
      runs.set(job.id, [...(runs.get(job.id) ?? []), Date.now()]);
      return runs.get(job.id)!.length;
    };
    w.registerHandler('later', (_ctx, job) => {
      record(job);
      return { success: true };
    });
    w.registerHandler('flaky', (_ctx, job) => (record(job) === 1 ? { success: false, error: 'once' } : { success: true }));
    void w.start();
    const flaky = await f.dispatcher.dispatch('flaky', {});
    const later = await f.dispatcher.dispatchDelayed('later', {}, 800);
    // Both are due long before pollTime (60 s) or the worker's net claim (10 x pollTime).
    for (const job of [flaky, later]) {
      await waitFor(`${job.type} completed`, async () => (await f.statusOf(job)) === 'completed', { timeoutMs: 15_000 });
    }
    expect(runs.get(later.id)![0]).toBeGreaterThanOrEqual(later.createdAt.getTime() + 800);
    const [first, retry] = runs.get(flaky.id)!;
    expect(retry! - first!).toBeGreaterThanOrEqual(800);
    expect(await f.queue.getJob(flaky.id)).toMatchObject({ attempts: 2, history: [{ attempt: 1, outcome: 'retrying', error: 'once' }] });
  });

  test('a delayed job due sooner than the one the worker waits for runs at its own time, not at the later one', async () => {
    const w = f.worker({ pollTime: 60_000 });
    const started = new Map<string, number>();
    w.registerHandler('later', (_ctx, job) => {
      started.set(job.id, Date.now());
      return { success: true };
    });
    void w.start();
    const far = await f.dispatcher.dispatchDelayed('later', {}, 5_000);
    await new Promise((resolve) => setTimeout(resolve, 300)); // the worker aims its timer at the far job
    const near = await f.dispatcher.dispatchDelayed('later', {}, 800);
    await waitFor('the near job to start', () => started.has(near.id), { timeoutMs: 10_000 });
    // Well before the far job's time: its own due time woke the worker.
    expect(started.get(near.id)!).toBeLessThan(far.createdAt.getTime() + 5_000 - 1_500);
  });

  test('a worker with every slot busy still promotes delayed jobs as each falls due, for idle workers to take', async () => {
    const w = f.worker({ pollTime: 60_000, numWorkers: 1 });
    const release = gate();
    w.registerHandler('long', () => release.promise.then(() => ({ success: true })));
    w.registerHandler('later', () => ({ success: true }));
    const [, ...later] = await f.queue.pushBulk([{ type: 'long' }, { type: 'later', delay: 300 }, { type: 'later', delay: 1_200 }]);
    void w.start();
    // Its one slot runs 'long'; the claim told it when the first falls due, the upkeep run then
    // when the second does, and nothing else will.
    for (const job of later) {
      await waitFor('the delayed job promoted', async () =>
        (await f.queue.readEvents()).some((e) => e.event === 'pending' && e.jobIds.includes(job.id)));
      expect(await f.statusOf(job)).toBe('pending');
    }
    release.open();
    for (const job of later) await waitFor('the delayed job done', async () => (await f.statusOf(job)) === 'completed');
  });

  test('ctx.progress is stored and readable through getJob', async () => {
    const w = f.worker();
    const proceed = gate();
    let refused: unknown;
    w.registerHandler('long', async (ctx) => {
      const { progress } = ctx; // a function of its own, usable apart from ctx
      await progress({ percent: 50 });
      refused = await progress({ at: 1n }).then(() => null, (err: unknown) => err);
      await proceed.promise;
      return { success: true };
    });
    void w.start();
    const job = await f.dispatcher.dispatch('long', {});
    await waitFor('progress', async () => ((await f.queue.getJob(job.id))!.progress as { percent?: number })?.percent === 50);
    // A value JSON cannot carry is refused by name, and the stored progress stays.
    expect(refused).toBeInstanceOf(ValidationError);
    expect((refused as ValidationError).message).toBe('progress: progress property "at" is a bigint, which JSON cannot carry');
    expect((await f.queue.getJob(job.id))!.progress).toEqual({ percent: 50 });
    proceed.open();
    await waitFor('completed', async () => (await f.statusOf(job)) === 'completed');
  });

  test('ctx.logger lines carry the queue, jobId and type', async () => {
    const lines: string[] = [];
    const sink = new Writable({ write(chunk, _enc, done) { lines.push(String(chunk)); done(); } });
    const w = f.worker({ logger: pino(sink) });
    w.registerHandler('logs', (ctx) => {
      ctx.logger.info('hello from handler');
      return { success: true };
    });
    void w.start();
    const before = performance.now();
    const job = await f.dispatcher.dispatch('logs', {});
    await waitFor('completed', async () => (await f.statusOf(job)) === 'completed');
    const line = JSON.parse(lines.find((l) => l.includes('hello from handler'))!);
    expect(line).toMatchObject({ queue: 'work', jobId: job.id, type: 'logs' });
    // Logged once Redis has recorded the outcome, so a moment after the status may be read.
    const outcome = JSON.parse(await waitFor('the completed line', () => lines.find((l) => l.includes('job completed'))));
    expect(outcome).toMatchObject({ queue: 'work', jobId: job.id, type: 'logs', attempt: 1, outcome: 'completed' });
    // Whole milliseconds, and no more than the test itself waited for the job.
    expect(Number.isInteger(outcome.durationMs)).toBe(true);
    expect(outcome.durationMs).toBeLessThanOrEqual(Math.ceil(performance.now() - before));
  });

  test('an attempt that does not complete logs one warning naming its outcome and error', async () => {
    const lines: Record<string, unknown>[] = [];
    const sink = new Writable({ write(chunk, _enc, done) { lines.push(JSON.parse(String(chunk))); done(); } });
    const w = f.worker({ logger: pino(sink) });
    const started = gate();
    w.registerHandler('flaky', (_ctx, job) => ({ success: false, error: `run ${job.attempts}` }));
    w.registerHandler('runaway', async (ctx) => {
      started.open();
      await new Promise((resolve) => ctx.signal.addEventListener('abort', resolve));
      return { success: true };
    });
    void w.start();
    const flaky = await f.dispatcher.dispatch('flaky', {}, { maxAttempts: 2 });
    await waitFor('the job to fail', async () => (await f.statusOf(flaky)) === 'failed');
    const runaway = await f.dispatcher.dispatch('runaway', {});
    await started.promise;
    await f.queue.cancelJob(runaway.id);
    await waitFor('the slot to free', () => w.activeJobs === 0);
    const outcomes = lines.filter((line) => line.jobId !== undefined && String(line.msg).startsWith('job '));
    expect(outcomes).toMatchObject([
      { level: 40, msg: 'job retrying', jobId: flaky.id, type: 'flaky', attempt: 1, outcome: 'retrying', error: 'run 1' },
      { level: 40, msg: 'job failed', jobId: flaky.id, attempt: 2, outcome: 'failed', error: 'run 2' },
      { level: 40, msg: 'job cancelled', jobId: runaway.id, type: 'runaway', outcome: 'cancelled' },
    ]);
    expect(outcomes[2]).not.toHaveProperty('error');
  });
});

describe('cancel and timeouts', () => {
  test('cancelling a running job aborts ctx.signal and its outcome is not recorded', async () => {
    const w = f.worker();
    const started = gate();
    let reason: unknown;
    w.registerHandler('runaway', async (ctx) => {
      started.open();
      await new Promise((resolve) => ctx.signal.addEventListener('abort', resolve));
      reason = ctx.signal.reason;
      return { success: true, data: 'finished anyway' };
    });
    void w.start();
    const job = await f.dispatcher.dispatch('runaway', {});
    await started.promise;
    await f.queue.cancelJob(job.id);
    await waitFor('the handler to see the abort', () => reason !== undefined, { timeoutMs: 1_500 });
    expect(reason).toBeInstanceOf(JobAbortedError);
    expect((reason as JobAbortedError).kind).toBe('cancelled');
    expect((reason as JobAbortedError).message).toBe('job cancelled');
    await waitFor('the slot to free', () => w.activeJobs === 0);
    expect(await f.queue.getJob(job.id)).toMatchObject({ status: 'cancelled' });
    expect((await f.queue.getJob(job.id))!.result).toBeUndefined();
  });

  test('cancelling a retrying job means it never runs again', async () => {
    await f.reopen('work', { retryDelays: [60_000] });
    const w = f.worker();
    let runs = 0;
    w.registerHandler('flaky', () => ({ success: false, error: `run ${++runs}` }));
    void w.start();
    const job = await f.dispatcher.dispatch('flaky', {});
    await waitFor('retrying', async () => (await f.statusOf(job)) === 'retrying');
    expect(await f.queue.getStats()).toMatchObject({ retryingJobs: 1 });
    await f.queue.cancelJob(job.id);
    expect(await f.queue.getJob(job.id)).toMatchObject({ status: 'cancelled', attempts: 1, error: 'run 1' });
    expect(await f.queue.getStats()).toMatchObject({ retryingJobs: 0, cancelledJobs: 1 });
    expect(runs).toBe(1);
  });

  test("the worker's jobTimeout applies to jobs that set no timeout", async () => {
    const w = f.worker({ jobTimeout: 100 });
    w.registerHandler('hangs', async (ctx) => {
      await new Promise((resolve) => ctx.signal.addEventListener('abort', resolve));
      return { success: true };
    });
    void w.start();
    const job = await f.dispatcher.dispatch('hangs', {}, { maxAttempts: 1 });
    await waitFor('failed', async () => (await f.statusOf(job)) === 'failed');
    expect((await f.queue.getJob(job.id))!.error).toBe('job timed out after 100 ms');
  });

  test('a job over its timeout fails the attempt and retries', async () => {
    const w = f.worker();
    w.registerHandler('hangs', async (ctx, job) => {
      if (job.attempts === 2) return { success: true };
      await new Promise((resolve) => ctx.signal.addEventListener('abort', resolve));
      return { success: true };
    });
    void w.start();
    const job = await f.dispatcher.dispatch('hangs', {}, { timeout: 100 });
    await waitFor('completed', async () => (await f.statusOf(job)) === 'completed');
    const done = await f.queue.getJob(job.id);
    // Completed in the end: no error, and the timed-out attempt in its history.
    expect(done).toMatchObject({ attempts: 2, history: [{ attempt: 1, outcome: 'retrying', error: 'job timed out after 100 ms' }] });
    expect(done!.error).toBeUndefined();
  });
});
