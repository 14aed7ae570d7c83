/** Schedules through the public API: define, list, replace, remove, pause, run now, and workers firing them. */
import { describe, expect, test } from 'vitest';
import { ScheduleNotFoundError, type Job, type RedisWorker } from '../../src/index.js';
import { queueKeys } from '../../src/engine/keys.js';
import { rawClient, waitFor } from '../helpers.js';
import { useWorkerFixture } from './worker-fixture.js';

const f = useWorkerFixture();

/** Moves a schedule's next run into the past, as if every worker had been down since. */
async function missTicks(name: string, agoMs: number): Promise<void> {
  const raw = rawClient();
  try {
    await raw.zadd(queueKeys(f.prefix, f.queue.name).scheduleNext, Date.now() - agoMs, name);
  } finally {
    raw.disconnect();
  }
}

describe('defining schedules', () => {
  test('listSchedules shows timing, job, source and the next run; the same name replaces; remove drops it', async () => {
    await f.queue.schedule('nightly', { cron: '0 3 * * *', tz: 'Europe/Berlin' }, { type: 'report', payload: { kind: 'daily' } });
    await f.queue.schedule('tick', { every: 60_000 }, { type: 'ping', payload: {}, priority: 5 });
    const before = Date.now();
    const [nightly, tick] = await f.queue.listSchedules();
    expect(nightly).toMatchObject({ name: 'nightly', cron: '0 3 * * *', tz: 'Europe/Berlin', source: 'code', paused: false, job: { type: 'report', payload: { kind: 'daily' }, priority: 0 } });
    expect(nightly!.nextRunAt.getTime()).toBeGreaterThan(before - 1_000);
    expect(nightly!.lastRunAt).toBeUndefined();
    expect(tick).toMatchObject({ name: 'tick', every: 60_000, job: { type: 'ping', priority: 5 } });

    await f.queue.schedule('tick', { every: 120_000 }, { type: 'pong' });
    expect((await f.queue.listSchedules())[1]).toMatchObject({ every: 120_000, job: { type: 'pong' } });
    expect(await f.queue.removeSchedule('tick')).toBe(true);
    expect(await f.queue.removeSchedule('tick')).toBe(false);
    expect((await f.queue.listSchedules()).map((s) => s.name)).toEqual(['nightly']);
  });

  test('the listing is by name, carries only the timing fields set, and a paused schedule shows the run it would have now', async () => {
    await f.queue.schedule('zeta', { every: 60_000 }, { type: 'a' });
    await f.queue.schedule('alpha', { cron: '0 3 * * *' }, { type: 'b' });
    await f.queue.schedule('mid', { cron: '0 4 * * *', tz: 'UTC' }, { type: 'c' });
    const listed = await f.queue.listSchedules();
    expect(listed.map((info) => info.name)).toEqual(['alpha', 'mid', 'zeta']);
    const timingKeys = (info: object) => Object.keys(info).filter((key) => ['cron', 'every', 'tz'].includes(key)).sort();
    expect(listed.map(timingKeys)).toEqual([['cron'], ['cron', 'tz'], ['every']]);
    expect(listed.map((info) => Object.keys(info).filter((key) => key === 'lastRunAt' || key === 'lastJobId'))).toEqual([[], [], []]);
    await f.queue.pauseSchedule('zeta');
    const paused = (await f.queue.listSchedules()).find((info) => info.name === 'zeta')!;
    expect(paused.paused).toBe(true);
    expect(Math.abs(paused.nextRunAt.getTime() - (Date.now() + 60_000))).toBeLessThan(5_000);
  });

  test('bad input is refused with a clear error and nothing is stored', async () => {
    await expect(f.queue.schedule('x', { cron: '61 * * * *' }, { type: 'a' })).rejects.toThrow(/invalid cron "61 \* \* \* \*"/);
    await expect(f.queue.schedule('x', { every: 5 }, { type: 'a' })).rejects.toThrow(/every must be from 1000 ms/);
    await expect(f.queue.schedule('x', { every: 5_000 }, { type: 'a', payload: { n: 1n } as never })).rejects.toThrow(/payload/);
    expect(await f.queue.listSchedules()).toEqual([]);
  });

  test('pause, resume and run-now of an unknown schedule reject naming it', async () => {
    await expect(f.queue.pauseSchedule('nope')).rejects.toThrow(ScheduleNotFoundError);
    await expect(f.queue.triggerSchedule('nope')).rejects.toThrow(/schedule "nope" not found in queue "work"/);
  });
});

/** A worker of the fixture's queue whose `ping` handler notes each job it runs. */
function pingWorker(): { w: RedisWorker; ran: Job[] } {
  const ran: Job[] = [];
  const w = f.worker();
  w.registerHandler('ping', (_ctx, job) => {
    ran.push(job);
    return { success: true };
  });
  return { w, ran };
}

describe('workers fire schedules', () => {
  test('a worker runs an every-second schedule once per tick, and the listing shows the last run', async () => {
    const { w, ran } = pingWorker();
    await f.queue.schedule('tick', { every: 1_000 }, { type: 'ping', payload: { from: 'schedule' } });
    void w.start();
    await waitFor('two scheduled runs', () => ran.length >= 2, { timeoutMs: 10_000 });
    expect(ran[0]!.payload).toEqual({ from: 'schedule' });
    const [tick] = await f.queue.listSchedules();
    expect(tick!.lastJobId).toBeDefined();
    expect(tick!.lastRunAt!.getTime()).toBeLessThanOrEqual(Date.now());
    expect(tick!.nextRunAt.getTime()).toBeGreaterThan(tick!.lastRunAt!.getTime());
  });

  test('a schedule this flexq cannot fire (a newer one stored it) is left alone and does not hold back the others', async () => {
    const { w, ran } = pingWorker();
    // 'aaa' is read first: its job's priority is past this flexq's range, and a key it does not know.
    await f.queue.schedule('aaa', { every: 1_000 }, { type: 'ping', payload: { from: 'aaa' } });
    await f.queue.schedule('zzz', { every: 1_000 }, { type: 'ping', payload: { from: 'zzz' } });
    const raw = rawClient();
    try {
      const key = queueKeys(f.prefix, f.queue.name).schedules;
      const stored = JSON.parse((await raw.hget(key, 'aaa'))!) as { job: Record<string, unknown> };
      stored.job['priority'] = 5_000_000_000;
      stored.job['addedLater'] = true;
      await raw.hset(key, 'aaa', JSON.stringify(stored));
    } finally {
      raw.disconnect();
    }
    void w.start();
    await waitFor('two runs of the readable schedule', () => ran.length >= 2, { timeoutMs: 10_000 });
    expect(ran.map((job) => job.payload['from'])).not.toContain('aaa');
  });

  test('a schedule defined while a worker of this process runs starts at its first tick, not at the 30 s recheck', async () => {
    const { w, ran } = pingWorker();
    void w.start();
    await new Promise((resolve) => setTimeout(resolve, 200)); // its runner has looked and found no schedule
    await f.queue.schedule('late', { every: 1_000 }, { type: 'ping' });
    await waitFor('the first run', () => ran.length >= 1, { timeoutMs: 8_000 });
    const [late] = await f.queue.listSchedules();
    expect(late!.lastJobId).toBe(ran[0]!.id);
  });

  /**
   * Starts `w` with `count` schedules a minute apart, makes them all due behind its runner's back,
   * then changes a schedule here: the runner fires them, one call each, and is still at it when
   * this resolves (one more change takes two calls).
   */
  async function startFiring(w: RedisWorker, count: number): Promise<string[]> {
    const names = Array.from({ length: count }, (_, n) => `minutely-${n}`);
    for (const name of names) await f.queue.schedule(name, { every: 60_000 }, { type: 'bulk' });
    void w.start();
    await new Promise((resolve) => setTimeout(resolve, 300)); // its runner has looked and aimed at the next minute
    for (const name of names) await missTicks(name, 1_000);
    await f.queue.schedule('kick', { every: 60_000 }, { type: 'bulk' });
    return names;
  }

  const ranSchedules = async () => (await f.queue.listSchedules()).filter((info) => info.lastJobId !== undefined).map((info) => info.name);

  test('a schedule defined while the worker fires others starts at its first tick, not at the 30 s recheck', async () => {
    const w = f.worker();
    const ran: Job[] = [];
    w.registerHandler('ping', (_ctx, job) => {
      ran.push(job);
      return { success: true };
    });
    const ninety = await startFiring(w, 90);
    await f.queue.schedule('late', { every: 1_000 }, { type: 'ping' });
    await waitFor('the first run of the schedule defined while firing', () => ran.length >= 1, { timeoutMs: 10_000 });
    expect((await ranSchedules()).sort()).toEqual(['late', ...ninety].sort());
  });

  test('more schedules due at once than one read takes (a hundred) all fire at once, not the rest at the 30 s recheck', async () => {
    const all = await startFiring(f.worker(), 101);
    await waitFor('every due schedule to run', async () => (await ranSchedules()).length === all.length, { timeoutMs: 10_000 });
  });

  test('a worker stopped while firing finishes the ticks it read and fires no more, even of a change made meanwhile', async () => {
    const stopped = f.worker();
    const ninety = await startFiring(stopped, 90);
    await f.queue.schedule('tick', { every: 1_000 }, { type: 'ping' });
    await stopped.stop();
    // Two of its ticks' worth of time pass with no worker running.
    await new Promise((resolve) => setTimeout(resolve, 2_500));
    expect((await ranSchedules()).sort()).toEqual([...ninety].sort());
    const running = f.worker();
    running.registerHandler('ping', () => ({ success: true }));
    void running.start();
    await waitFor('a run of the tick once a worker runs', async () => (await ranSchedules()).includes('tick'));
  });

  test('two workers of one process fire each tick once between them', async () => {
    const ran: Job[] = [];
    for (let i = 0; i < 2; i++) {
      const w = f.worker();
      w.registerHandler('ping', (_ctx, job) => {
        ran.push(job);
        return { success: true };
      });
      void w.start();
    }
    await f.queue.schedule('shared', { every: 1_000 }, { type: 'ping' });
    const started = Date.now();
    await waitFor('three runs', () => ran.length >= 3, { timeoutMs: 10_000 });
    await new Promise((resolve) => setTimeout(resolve, 300));
    // One job per elapsed tick at most, however many workers raced for each.
    expect(ran.length).toBeLessThanOrEqual(Math.floor((Date.now() - started) / 1_000) + 1);
    expect(new Set(ran.map((job) => job.id)).size).toBe(ran.length);
  });

  test('missed ticks give one catch-up job when a worker returns, not one per missed tick', async () => {
    await f.queue.schedule('hourly', { cron: '0 * * * *' }, { type: 'report' });
    await missTicks('hourly', 5 * 3_600_000); // five hourly ticks missed
    const w = f.worker();
    w.registerHandler('report', () => ({ success: true }));
    void w.start();
    const [hourly] = await waitFor('the catch-up run', async () => {
      const list = await f.queue.listSchedules();
      return list[0]?.lastJobId ? list : null;
    });
    await waitFor('the catch-up job done', async () => (await f.queue.getStats()).completedJobs === 1);
    const stats = await f.queue.getStats();
    expect(stats.completedJobs + stats.pendingJobs + stats.processingJobs).toBe(1);
    expect(hourly!.nextRunAt.getTime()).toBeGreaterThan(Date.now());
  });

  test('a paused schedule adds nothing; run-now adds its job at once; resume starts from the next tick', async () => {
    await f.queue.schedule('tick', { every: 1_000 }, { type: 'ping' });
    await f.queue.pauseSchedule('tick');
    expect((await f.queue.listSchedules())[0]).toMatchObject({ paused: true });
    const w = f.worker();
    const ran: string[] = [];
    w.registerHandler('ping', (_ctx, job) => {
      ran.push(job.id);
      return { success: true };
    });
    void w.start();
    const id = await f.queue.triggerSchedule('tick');
    await waitFor('the run-now job', () => ran.includes(id));
    // Two ticks' worth of time pass without a run while paused.
    await new Promise((resolve) => setTimeout(resolve, 2_500));
    expect(ran).toEqual([id]);
    await f.queue.resumeSchedule('tick');
    expect((await f.queue.listSchedules())[0]).toMatchObject({ paused: false });
    await waitFor('a run after resume', () => ran.length >= 2, { timeoutMs: 10_000 });
  });
});

describe('schedules of a sharded queue', () => {
  test('live on shard 0 and add their jobs there: run-now, ticks and pause work as unsharded', async () => {
    await f.reopen('sharded', { shards: 3 });
    await f.queue.schedule('tick', { every: 1_000 }, { type: 'ping', payload: { n: 1 } });
    const triggered = await f.queue.triggerSchedule('tick');
    expect(triggered).toMatch(/^0-[0-9a-z]{12}$/);
    expect(await f.queue.getJob(triggered)).toMatchObject({ type: 'ping', status: 'pending', payload: { n: 1 } });
    const ran: string[] = [];
    const w = f.worker();
    w.registerHandler('ping', (_ctx, job) => {
      ran.push(job.id);
      return { success: true };
    });
    void w.start();
    await waitFor('the run-now job and a tick', () => ran.includes(triggered) && ran.length >= 2, { timeoutMs: 10_000 });
    expect(ran.every((id) => id.startsWith('0-'))).toBe(true);
    const [tick] = await f.queue.listSchedules();
    expect(tick!.lastJobId).toMatch(/^0-/);
    await f.queue.pauseSchedule('tick');
    expect((await f.queue.listSchedules())[0]).toMatchObject({ paused: true });
  });
});
