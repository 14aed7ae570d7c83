import { readFileSync } from 'node:fs';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { functionName, SCRIPT_KEYS, type ScriptName } from '../../src/engine/library.js';
import { queueKeys } from '../../src/engine/keys.js';
import { handlerFunc, PermissionError, RedisQueue, RedisWorker, type Job } from '../../src/index.js';
import { waitFor, type PrivateRedis } from '../helpers.js';
import { KEY, openHarness } from '../tui/harness.js';
import { startAclRedis } from './private-servers.js';

/**
 * The README's ACL recipes, run verbatim: the test checks what users are told to type. The
 * private Redis is this file's own, so the README's default prefix `flexq` is used as is.
 */
function readmeAclLines(user: string): string[][] {
  const readme = readFileSync(new URL('../../README.md', import.meta.url), 'utf8');
  const lines = readme.split('\n').filter((line) => line.startsWith(`ACL SETUSER ${user} `));
  if (lines.length === 0) throw new Error(`README has no "ACL SETUSER ${user}" lines`);
  return lines.map((line) => line.trim().split(/\s+/));
}

const PREFIX = 'flexq';
let redis: PrivateRedis;
let admin: Redis;

beforeAll(async () => {
  redis = await startAclRedis();
  admin = new Redis(redis.url, { maxRetriesPerRequest: 1 });
  for (const user of ['flexq', 'flexq-ro']) {
    for (const [command, ...args] of readmeAclLines(user)) await admin.call(command as string, ...args);
  }
  await admin.call('ACL', 'LOG', 'RESET');
}, 20_000);

afterAll(async () => {
  admin?.disconnect();
  await redis?.stop();
});

/** Refusals Redis recorded for `user` since the last reset: each names the command or key it refused. */
async function aclRefusals(user: string): Promise<string[]> {
  const entries = (await admin.call('ACL', 'LOG')) as unknown[][];
  return entries
    .map((entry) => {
      const fields = new Map<string, unknown>();
      for (let i = 0; i < entry.length; i += 2) fields.set(String(entry[i]), entry[i + 1]);
      return fields;
    })
    .filter((fields) => fields.get('username') === user)
    .map((fields) => `${String(fields.get('reason'))} ${String(fields.get('object'))} (${String(fields.get('context'))})`);
}

/** A queue of its own per test (`queue`), so no test counts another's jobs. */
/** The queue of the read-only user's cases, which the full user's cases never touch. */
const RO_QUEUE = 'acl-ro';
const connectAs = (username: string, password: string, queue = 'acl') =>
  RedisQueue.connect(queue, { url: redis.url, username, password, prefix: PREFIX, connectTimeout: 3_000 });

describe('the full ACL user of the README', () => {
  it('runs the whole API: push, a worker processing jobs, cancel, retry, setPriority, pause/resume, stats, listJobs, events, schedules', async () => {
    const queue = await connectAs('flexq', 'change-me');
    const worker = new RedisWorker(queue, { numWorkers: 2, pollTime: 200 });
    try {
      const done: string[] = [];
      worker.registerHandler('work', handlerFunc(async (ctx, job: Job) => {
        await ctx.progress(50);
        done.push(job.id);
        return job.payload['fail'] ? { success: false, retry: false, error: 'on purpose' } : { success: true, data: { ok: 1 } };
      }));
      void worker.start();
      const first = await queue.push({ type: 'work', payload: { n: 1 } });
      const failing = await queue.push({ type: 'work', payload: { fail: true } });
      await waitFor('both jobs to finish', async () => (await queue.getJob(failing.id))?.status === 'failed' && (await queue.getJob(first.id))?.status === 'completed');

      await queue.retryJob(failing.id);
      await waitFor('the retried job to run', async () => (await queue.getJob(failing.id))?.status === 'failed' && done.filter((id) => id === failing.id).length === 2);

      await queue.pause();
      expect(await queue.isPaused()).toBe(true);
      const held = await queue.push({ type: 'work', payload: { n: 2 } });
      await queue.setPriority(held.id, 7);
      expect(await queue.getJob(held.id)).toMatchObject({ status: 'pending', priority: 7 });
      const delayed = await queue.pushDelayed({ type: 'work', payload: { n: 3 } }, 60_000);
      await queue.cancelJob(delayed.id);
      expect(await queue.getJobStatus(delayed.id)).toBe('cancelled');
      await queue.resume();
      await waitFor('the held job to run after resume', async () => (await queue.getJob(held.id))?.status === 'completed');

      expect(await queue.getStats()).toMatchObject({ completedJobs: 2, failedJobs: 1, cancelledJobs: 1, pendingJobs: 0 });
      expect((await queue.listJobs('completed')).map((job) => job.id).sort()).toEqual([first.id, held.id].sort());
      expect((await queue.readEvents('0')).length).toBeGreaterThan(0);
      expect(await queue.lastEventId()).not.toBe('0');
      expect((await queue.getWorkers()).length).toBeGreaterThan(0);

      // Operations: totals and history (kept inside the outcome functions), the registry, bulk work.
      expect(await queue.getTotals()).toEqual({ completed: 2, failed: 2 });
      expect((await queue.getHistory({ minutes: 2 })).reduce((sum, minute) => sum + minute.completed, 0)).toBe(2);
      expect(await queue.listQueues()).toContain('acl');
      await queue.cancelJob((await queue.push({ type: 'none' })).id);
      expect(await queue.retryJobs('cancelled', { type: 'work' })).toBe(1);
      expect(await queue.retryJobs('failed', { type: 'work' })).toBe(1);
      await waitFor('the retried job to fail again', async () => (await queue.getTotals()).failed === 3);
      await waitFor('the retried cancelled job to complete', async () => (await queue.getTotals()).completed === 3);
      await queue.removeJob(first.id);
      expect(await queue.clean('completed')).toBe(2);

      // Schedules: saved, fired by the worker, paused, run now, listed, removed.
      await queue.schedule('tick', { every: 1_000 }, { type: 'work', payload: { n: 4 } });
      await waitFor('a scheduled run', async () => (await queue.listSchedules())[0]?.lastJobId !== undefined);
      await queue.pauseSchedule('tick');
      await queue.resumeSchedule('tick');
      await queue.triggerSchedule('tick');
      expect(await queue.removeSchedule('tick')).toBe(true);
    } finally {
      await worker.stop();
      await queue.close();
    }
    // The recipe lists every command flexq sends, from Node and from inside its functions.
    expect(await aclRefusals('flexq')).toEqual([]);
  }, 30_000);

  it('with the recipe of before the operations (no sadd, smembers, zrank) still pushes and runs jobs, and keeps totals', async () => {
    const added = new Set(['+sadd', '+smembers', '+zrank']);
    for (const [command, ...args] of readmeAclLines('flexq')) {
      await admin.call(command as string, ...args.map((arg) => (arg === 'flexq' ? 'flexq-old' : arg)).filter((arg) => !added.has(arg)));
    }
    const queue = await RedisQueue.connect('old', { url: redis.url, username: 'flexq-old', password: 'change-me', prefix: PREFIX, connectTimeout: 3_000 });
    const worker = new RedisWorker(queue, { pollTime: 100 });
    try {
      // The push first: it is what registers the queue here (the worker's heartbeat would otherwise).
      const job = await queue.push({ type: 'work' });
      worker.registerHandler('work', () => ({ success: true }));
      void worker.start();
      await waitFor('the job to complete', async () => (await queue.getJobStatus(job.id)) === 'completed');
      expect((await queue.getTotals()).completed).toBe(1);
    } finally {
      await worker.stop();
      await queue.close();
      await admin.call('ACL', 'LOG', 'RESET');
    }
  });

  it('runs unique jobs, a rate limit and capped fair groups too', async () => {
    const queue = await connectAs('flexq', 'change-me', 'acl-flow');
    const worker = new RedisWorker(queue, { numWorkers: 2, pollTime: 200 });
    try {
      worker.registerHandler('once', () => ({ success: true }));
      await queue.setRateLimit({ max: 100, per: 1_000 });
      await queue.setGroupConcurrency(1);
      const job = await queue.push({ type: 'once', uniqueKey: 'k' });
      expect((await queue.push({ type: 'once', uniqueKey: 'k' })).id).toBe(job.id);
      await queue.push({ type: 'once', uniqueKey: 'timed', uniqueFor: 60_000 });
      await queue.pushBulk([{ type: 'once', group: 'g' }, { type: 'once', group: 'g' }]);
      void worker.start();
      await waitFor('every job to run', async () => (await queue.getStats()).completedJobs === 4);
      expect((await queue.getOverview()).rateLimit).toMatchObject({ max: 100, started: 4 });
      await queue.setRateLimit(null);
    } finally {
      await worker.stop();
      await queue.close();
    }
    expect(await aclRefusals('flexq')).toEqual([]);
  }, 30_000);

  it('cannot touch keys outside its prefix', async () => {
    const client = new Redis(redis.url, { username: 'flexq', password: 'change-me', maxRetriesPerRequest: 1 });
    try {
      await expect(client.get('other-app:secret')).rejects.toThrow(/NOPERM/);
      await expect(client.call('FLUSHALL')).rejects.toThrow(/NOPERM/);
    } finally {
      client.disconnect();
      await admin.call('ACL', 'LOG', 'RESET');
    }
  });
});

describe('the read-only ACL user of the README', () => {
  let full: RedisQueue;
  let job: Job;
  let cancelled: Job;
  beforeAll(async () => {
    // A queue of its own: the full user's cases leave jobs in theirs (a schedule may fire as a worker stops).
    full = await connectAs('flexq', 'change-me', RO_QUEUE); // loads the function library the read-only user cannot load
    job = await full.push({ type: 'ro-check', payload: { n: 1 } });
    cancelled = await full.push({ type: 'ro-check', payload: { n: 2 } });
    await full.cancelJob(cancelled.id);
    await admin.call('ACL', 'LOG', 'RESET');
  });
  afterAll(() => full?.close());

  /** Calls one of flexq's functions as the engine does (FCALL with the keys its header names). */
  async function fcall(client: Redis, script: ScriptName, args: (string | number)[], command = 'FCALL'): Promise<unknown> {
    const keys = queueKeys(PREFIX, RO_QUEUE);
    const names = SCRIPT_KEYS[script].map((name) => keys[name]);
    return client.call(command, functionName(script), names.length, ...names, ...args);
  }

  it('reads stats, lists and jobs, and every write is refused with NOPERM and changes nothing', async () => {
    const client = new Redis(redis.url, { username: 'flexq-ro', password: 'change-me-too', maxRetriesPerRequest: 1 });
    try {
      expect(await fcall(client, 'getStats', [], 'FCALL_RO')).toBeInstanceOf(Array);
      expect(await fcall(client, 'listPendingSources', ['', 0, 10], 'FCALL_RO')).toContain('due');
      expect(await fcall(client, 'countPendingNewer', [Date.now(), 1500, 0, 0, 'due', 0, 5], 'FCALL_RO')).toHaveLength(1);
      const page = (await fcall(client, 'readPendingEntries', [Date.now(), 0, 0, 10], 'FCALL_RO')) as unknown[];
      expect(page).toContain(job.id);
      const keys = queueKeys(PREFIX, RO_QUEUE);
      expect((await client.hmget(keys.jobs, job.id))[0]).toContain('ro-check');
      expect((await client.xrange(keys.events, '-', '+')).length).toBeGreaterThan(0);
      // Arguments as store.ts sends them, so each call gets past its checks to its first write.
      const writes: [ScriptName, (string | number)[]][] = [
        ['cancelJob', [1000, job.id, 604_800_000, 10_000, 100, 'rq-1']],
        ['retryJob', [1000, cancelled.id, 'rq-2']],
        ['setPriority', [1000, job.id, 5, 'rq-3']],
        ['setPaused', [1000, '1']],
      ];
      for (const [script, args] of writes) {
        const err = await fcall(client, script, args).then(() => undefined, (e: unknown) => e as Error);
        expect(err?.message, script).toMatch(/NOPERM|can't run this command/i);
        console.info(`read-only ${script}: ${err?.message}`);
      }
      await expect(client.hset(keys.jobs, 'x', 'y')).rejects.toThrow(/NOPERM/);
      expect(await full.getJob(job.id)).toMatchObject({ status: 'pending', priority: 0 });
      expect(await full.getJobStatus(cancelled.id)).toBe('cancelled');
      expect(await full.isPaused()).toBe(false);
    } finally {
      client.disconnect();
    }
  });

  it('connects through the API: getStats, listJobs and getJob work, and cancel, retry, setPriority and pause fail with a PermissionError', async () => {
    const queue = await connectAs('flexq-ro', 'change-me-too', RO_QUEUE);
    try {
      expect((await queue.getStats()).pendingJobs).toBeGreaterThan(0);
      expect((await queue.listJobs('pending')).map((j) => j.id)).toContain(job.id);
      expect(await queue.getJob(job.id)).toMatchObject({ id: job.id });
      expect(await queue.getWorkers()).toBeInstanceOf(Array);
      expect(await queue.getTotals()).toEqual({ completed: expect.any(Number), failed: expect.any(Number) });
      expect(await queue.getHistory({ minutes: 5 })).toHaveLength(5);
      // Queues the full user used are listed (the old recipe's user cannot register its queue).
      expect(await queue.listQueues()).toContain(RO_QUEUE);
      for (const write of [
        () => queue.cancelJob(job.id), () => queue.retryJob(job.id), () => queue.setPriority(job.id, 3), () => queue.pause(),
        () => queue.retryJobs('cancelled'), () => queue.clean('cancelled'), () => queue.removeJob(cancelled.id),
      ]) {
        await expect(write()).rejects.toThrow(PermissionError);
      }
      expect(await full.getJob(job.id)).toMatchObject({ status: 'pending', priority: 0 });
    } finally {
      await queue.close();
    }
  });

  it('runs the read-only console: the queue row, the job list and a job in full, refused nothing but the library load', async () => {
    await admin.call('ACL', 'LOG', 'RESET');
    const h = await openHarness({
      readOnly: true, queueNames: [RO_QUEUE],
      connect: { url: redis.url, username: 'flexq-ro', password: 'change-me-too', prefix: PREFIX },
    });
    try {
      await h.frame((f) => new RegExp(`^${RO_QUEUE}\\s+running\\s+1\\s`, 'm').test(f), 'the queue row with its pending job');
      await h.press('1');
      await h.frame((f) => f.includes(job.id), 'the pending job listed');
      await h.press(KEY.enter);
      await h.frame((f) => f.includes(`Job ${job.id}`) && f.includes('status     pending'), 'the job in full');
      // Connecting tries FUNCTION LOAD and goes on without it; nothing else may be refused.
      expect(await aclRefusals('flexq-ro')).toEqual(['command function|load (toplevel)']);
    } finally {
      await h.cleanup();
    }
  });
});
