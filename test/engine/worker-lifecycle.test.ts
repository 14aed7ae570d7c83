import { describe, expect, test } from 'vitest';
import {
  JobAbortedError, RedisQueue, RedisWorker, type Job, type WorkerInfo,
} from '../../src/index.js';
import { createHook } from 'node:async_hooks';
import { pino } from 'pino';
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { REDIS_URL, freshQueue, waitFor } from '../helpers.js';
import { gate, useWorkerFixture } from './worker-fixture.js';

const f = useWorkerFixture();

/** Heartbeats come every 5 s; four periods leave room for a loaded machine. */

const HEARTBEATS = 20_000;

/** This worker's heartbeat once it says `holds` of itself. */

async function heartbeatOf(w: RedisWorker, what: string, holds: (info: WorkerInfo) => boolean): Promise<WorkerInfo> {
  return waitFor(what, async () => (await f.queue.getWorkers()).find((info) => info.id === w.id && holds(info)), { timeoutMs: HEARTBEATS, intervalMs: 100 });
}


describe('leases', () => {
  test('a long job keeps its lease and runs once', async () => {
    // The job outlasts its 1.5 s lease nearly three times: only renewals (every 500 ms) keep it.
    const w = f.worker({ visibilityTimeout: 1_500 });
    let runs = 0;
    w.registerHandler('long', async () => {
      runs++;
      await new Promise((resolve) => setTimeout(resolve, 4_000));
      return { success: true };
    });
    const other = f.worker({ visibilityTimeout: 1_500 });
    other.registerHandler('long', () => {
      runs++;
      return { success: true };
    });
    void w.start();
    const job = await f.dispatcher.dispatch('long', {});
    await waitFor('running', async () => (await f.statusOf(job)) === 'processing');
    void other.start();
    // The job itself takes 4 s: the deadline is counted from there.
    await waitFor('completed', async () => (await f.statusOf(job)) === 'completed', { timeoutMs: 20_000 });
    expect(runs).toBe(1);
    expect((await f.queue.getJob(job.id))!.attempts).toBe(1);
  });

  test("a stale worker's late outcome is ignored after its job was recovered", async () => {
    const child = spawn(process.execPath, [
      fileURLToPath(new URL('../fixtures/stale-worker.mjs', import.meta.url)), REDIS_URL, f.prefix, f.queue.name, '200', '1500',
    ], { stdio: ['pipe', 'pipe', 'inherit'] });
    try {
      const claimed = new Promise((resolve) => child.stdout.on('data', resolve));
      const job = await f.dispatcher.dispatch('stall', {});
      await claimed;
      const rescuer = f.worker({ visibilityTimeout: 5_000 });
      rescuer.registerHandler('stall', () => ({ success: true, data: 'rescued' }));
      void rescuer.start();
      await waitFor('the rescue', async () => (await f.statusOf(job)) === 'completed');
      child.stdin.end();
      await new Promise((resolve) => child.on('exit', resolve));
      expect(await f.queue.getJob(job.id)).toMatchObject({ status: 'completed', attempts: 2, result: 'rescued' });
    } finally {
      child.kill('SIGKILL');
    }
  });
});

describe('stopping', () => {
  test('stop waits for in-flight jobs and their outcomes are stored when it resolves', async () => {
    const w = f.worker({ numWorkers: 2 });
    const started = gate();
    w.registerHandler('slow', async () => {
      started.open();
      await new Promise((resolve) => setTimeout(resolve, 150));
      return { success: true, data: 'done' };
    });
    const finished = w.start();
    const job = await f.dispatcher.dispatch('slow', {});
    await started.promise;
    await w.stop();
    expect(w.isRunning()).toBe(false);
    expect(await f.statusOf(job)).toBe('completed');
    await finished;
    await w.stop();
  });

  test('closing the queue while its worker runs stops the worker first: the outcome is stored, and no outage is logged', async () => {
    const { queue, cleanup } = await freshQueue('close-first');
    const lines: { level: number; msg: string }[] = [];
    const logger = pino({ level: 'info' }, { write: (line: string) => void lines.push(JSON.parse(line)) });
    const w = new RedisWorker(queue, { pollTime: 100, logger });
    const started = gate();
    w.registerHandler('slow', async () => {
      started.open();
      await new Promise((resolve) => setTimeout(resolve, 300));
      // The queue still serves its running handlers while close() waits for them.
      await queue.push({ type: 'follow-up' });
      return { success: true };
    });
    const finished = w.start();
    const job = await queue.push({ type: 'slow' });
    await started.promise;
    try {
      await queue.close();
      expect(w.isRunning()).toBe(false);
      await finished;
      // Read over a connection of its own: the closed handle refuses calls.
      const reader = await RedisQueue.connect('close-first', { url: REDIS_URL, prefix: queue.prefix });
      expect(await reader.getJobStatus(job.id)).toBe('completed');
      expect((await reader.listJobs('pending')).map((pending) => pending.type)).toEqual(['follow-up']);
      await reader.close();
      await expect(queue.push({ type: 'late' })).rejects.toThrow(/is closed/);
      expect(lines.filter((line) => line.level >= 50)).toEqual([]);
    } finally {
      await cleanup();
    }
  });

  test('a worker started again after stop() logs no outage', async () => {
    const lines: { level: number; msg: string }[] = [];
    const logger = pino({ level: 'info' }, { write: (line: string) => void lines.push(JSON.parse(line)) });
    const w = f.worker({ pollTime: 100, logger });
    w.registerHandler('t', () => ({ success: true }));
    for (let round = 0; round < 8; round++) {
      void w.start();
      await new Promise((resolve) => setTimeout(resolve, 150));
      await w.stop();
    }
    void w.start();
    const job = await f.dispatcher.dispatch('t', {});
    await waitFor('the job done', async () => (await f.statusOf(job)) === 'completed');
    expect(lines.filter((line) => line.level >= 50).map((line) => line.msg)).toEqual([]);
  });

  test('a stopped worker claims nothing more', async () => {
    const w = f.worker();
    w.registerHandler('t', () => ({ success: true }));
    void w.start();
    const before = await f.dispatcher.dispatch('t', {});
    await waitFor('the first job done', async () => (await f.statusOf(before)) === 'completed');
    await w.stop();
    const job = await f.dispatcher.dispatch('t', {});
    // A running worker would have claimed it by the time a worker of this process, on a queue of
    // the same connection, has run the jobs dispatched after it.
    const other = f.queue.queue(`${f.queue.name}-other`);
    const witness = new RedisWorker(other, { pollTime: 200 });
    f.track(witness);
    witness.registerHandler('t', () => ({ success: true }));
    void witness.start();
    const later = await Promise.all([1, 2, 3].map(() => other.push({ type: 't' })));
    await waitFor('the other queue worked', async () => (await other.getStats()).completedJobs === later.length);
    expect(await f.statusOf(job)).toBe('pending');
    expect((await f.queue.getWorkers()).map((info) => info.id)).not.toContain(w.id);
    await witness.stop();
    await other.close();
  });

  test('a worker started again still wakes for a job that falls due, though its timer was set before the stop', async () => {
    // A claim reports when the delayed job falls due and the worker sets a timer for it; the stop
    // clears that timer. Started again, the worker must set one anew: with a 60 s pollTime nothing
    // else would wake it before the job is due.
    const w = f.worker({ pollTime: 60_000 });
    w.registerHandler('t', () => ({ success: true }));
    void w.start();
    const job = await f.dispatcher.dispatchDelayed('t', {}, 1_500);
    // The job's wake marker brings a claim, whose reply sets the timer.
    await new Promise((resolve) => setTimeout(resolve, 300));
    await w.stop();
    void w.start();
    await waitFor('the delayed job done', async () => (await f.statusOf(job)) === 'completed', { timeoutMs: 20_000 });
    // The second run stops as the first did: its stop is not the first run's, finished long ago.
    await w.stop();
    expect(w.isRunning()).toBe(false);
    expect((await f.queue.getWorkers()).map((info) => info.id)).not.toContain(w.id);
  });

  test('every timer a worker starts is gone once it has stopped, so its process can exit', async () => {
    // The engine's timers made while the worker runs that have neither fired nor been cleared
    // (the test's own are left out: waitFor checks right after its timer fired, before that counts).
    const live = new Set<number>();
    const hook = createHook({
      init: (id, type) => void (type === 'Timeout' && new Error().stack?.includes('/src/engine/') && live.add(id)),
      destroy: (id) => void live.delete(id),
    }).enable();
    try {
      const w = f.worker();
      w.registerHandler('t', () => ({ success: true }));
      void w.start();
      const job = await f.dispatcher.dispatch('t', {});
      await waitFor('the job done', async () => (await f.statusOf(job)) === 'completed');
      // With a timeout, whose own timer must go too once the jobs have drained.
      await w.stop({ timeout: 60_000 });
      await waitFor("every engine timer to fire or be cleared", () => live.size === 0);
    } finally {
      hook.disable();
    }
  });

  test('stopping an idle worker reports no Redis outage: closing its wait for work is no error', async () => {
    const logged: { level: number; msg: string }[] = [];
    const w = f.worker({ logger: pino({ level: 'info' }, { write: (line: string) => void logged.push(JSON.parse(line)) }) });
    w.registerHandler('t', () => ({ success: true }));
    void w.start();
    const job = await f.dispatcher.dispatch('t', {});
    await waitFor('the job done', async () => (await f.statusOf(job)) === 'completed');
    await new Promise((resolve) => setTimeout(resolve, 300)); // idle again: waiting on its wake marker
    await w.stop();
    expect(logged.filter((line) => line.level >= 40)).toEqual([]);
  });

  test('stop with a timeout aborts what is still running and hands it back to the queue', async () => {
    const logged: { msg: string; released?: number }[] = [];
    const w = f.worker({ logger: pino({ level: 'info' }, { write: (line: string) => void logged.push(JSON.parse(line)) }) });
    const started = gate();
    let reason: unknown;
    w.registerHandler('forever', async (ctx) => {
      started.open();
      await new Promise((resolve) => ctx.signal.addEventListener('abort', resolve));
      reason = ctx.signal.reason;
      return { success: false, error: 'aborted' };
    });
    void w.start();
    const job = await f.dispatcher.dispatch('forever', {});
    await started.promise;
    await w.stop({ timeout: 100 });
    expect((reason as JobAbortedError).kind).toBe('shutdown');
    expect((reason as JobAbortedError).message).toBe('worker shutting down: job handed back to the queue');
    expect(logged).toContainEqual(expect.objectContaining({ msg: 'shutdown timeout: running jobs handed back to the queue', released: 1 }));
    expect(await f.queue.getJob(job.id)).toMatchObject({ status: 'pending', attempts: 0 });
  });

  test('stop with a timeout that its jobs finish within hands nothing back and says nothing of it', async () => {
    const logged: { msg: string }[] = [];
    const w = f.worker({ logger: pino({ level: 'info' }, { write: (line: string) => void logged.push(JSON.parse(line)) }) });
    const started = gate();
    w.registerHandler('short', async () => {
      started.open();
      await new Promise((resolve) => setTimeout(resolve, 100));
      return { success: true };
    });
    void w.start();
    const job = await f.dispatcher.dispatch('short', {});
    await started.promise;
    await w.stop({ timeout: 10_000 });
    expect(await f.statusOf(job)).toBe('completed');
    expect(logged.map((line) => line.msg)).not.toContain('shutdown timeout: running jobs handed back to the queue');
  });

  test('start(signal) stops gracefully when the signal aborts', async () => {
    const w = f.worker();
    const controller = new AbortController();
    const finished = w.start(controller.signal);
    expect(w.isRunning()).toBe(true);
    expect(w.start()).toBe(finished); // a second start is the same run
    controller.abort();
    await finished;
    expect(w.isRunning()).toBe(false);
  });

  test('start(signal) with a signal aborted already stops at once and runs nothing', async () => {
    const w = f.worker();
    let ran = 0;
    w.registerHandler('t', () => {
      ran++;
      return { success: true };
    });
    await f.dispatcher.dispatch('t', {});
    await w.start(AbortSignal.abort());
    expect(w.isRunning()).toBe(false);
    expect(ran).toBe(0);
    expect((await f.queue.getStats()).pendingJobs).toBe(1);
  });
});

describe('retention and pause', () => {
  test('completed jobs beyond the kept count are removed', async () => {
    await f.reopen('keep', { keepCompleted: { count: 2 } });
    const w = f.worker({ numWorkers: 1 });
    w.registerHandler('t', () => ({ success: true }));
    void w.start();
    const jobs: Job[] = [];
    for (let i = 0; i < 5; i++) jobs.push(await f.dispatcher.dispatch('t', { i }));
    await waitFor('all processed', async () => (await f.statusOf(jobs[4]!)) === 'completed');
    await waitFor('trimmed', async () => (await f.queue.getStats()).completedJobs === 2);
    expect(await f.queue.getJob(jobs[0]!.id)).toBeNull();
  });

  test('a paused queue is not worked until resumed, though its worker keeps claiming', async () => {
    const w = f.worker();
    w.registerHandler('t', () => ({ success: true }));
    await f.queue.pause();
    void w.start();
    const job = await f.dispatcher.dispatch('t', {});
    const dispatchedAt = Date.now();
    // The worker claimed after the dispatch (woken by the push, or by its periodic claim every
    // 10 x pollTime), and found nothing.
    await heartbeatOf(w, 'a claim after the dispatch', (info) => info.lastFetchAt.getTime() >= dispatchedAt);
    expect(await f.statusOf(job)).toBe('pending');
    expect(await f.queue.isPaused()).toBe(true);
    await f.queue.resume();
    await waitFor('completed', async () => (await f.statusOf(job)) === 'completed');
  });

  test('getWorkers shows a running worker with its load, busy slots included, and drops it on stop', async () => {
    const w = f.worker({ numWorkers: 3 });
    const release = gate();
    w.registerHandler('hold', () => release.promise.then(() => ({ success: true })));
    w.registerHandler('other', () => ({ success: true }));
    const startedAt = Date.now();
    void w.start();
    const idle = await heartbeatOf(w, 'a first heartbeat', () => true);
    expect(idle).toMatchObject({ queue: 'work', pid: process.pid, concurrency: 3, busy: 0, healthy: true });
    expect([...idle.types].sort()).toEqual(['hold', 'other']);
    expect(idle.startedAt.getTime()).toBeGreaterThanOrEqual(startedAt);
    await f.queue.pushBulk([{ type: 'hold' }, { type: 'hold' }]);
    await waitFor('two slots busy', () => w.activeJobs === 2);
    const busy = await heartbeatOf(w, 'a heartbeat with 2 of 3 slots busy', (info) => info.busy === 2);
    expect(busy).toMatchObject({ concurrency: 3, healthy: true });
    expect(busy.lastSeenAt.getTime()).toBeGreaterThan(idle.lastSeenAt.getTime());
    expect(busy.lastFetchAt.getTime()).toBeGreaterThanOrEqual(startedAt);
    release.open();
    await waitFor('both done', async () => (await f.queue.getStats()).completedJobs === 2);
    await w.stop();
    expect(await f.queue.getWorkers()).toEqual([]);
  });

  test('the event feed records each state change', async () => {
    const w = f.worker();
    w.registerHandler('t', () => ({ success: true }));
    void w.start();
    const job = await f.dispatcher.dispatch('t', {});
    await waitFor('completed', async () => (await f.statusOf(job)) === 'completed');
    const events = (await f.queue.readEvents()).filter((e) => e.jobIds.includes(job.id)).map((e) => e.event);
    expect(events).toEqual(['added', 'processing', 'completed']);
  });
});
