import { afterEach, beforeEach, describe, expect, test } from 'vitest';
import { Cluster, Redis } from 'ioredis';
import { performance } from 'node:perf_hooks';
import {
  ConnectionError, InvalidJobStateError, JobDispatcher, JobNotFoundError, JobStatus, QueueClosedError, RedisQueue, RedisWorker,
  ValidationError,
} from '../../src/index.js';
import {
  REDIS_URL, deletePrefix, freePort, freshQueue, rawClient, startPrivateRedis, uniquePrefix, waitFor,
} from '../helpers.js';

let queue: RedisQueue;
let prefix: string;

/** The keys matching `pattern` on every primary (KEYS on a cluster client asks one node only). */
async function keysOf(pattern: string): Promise<string[]> {
  const client: unknown = rawClient();
  try {
    if (client instanceof Cluster) {
      if (client.status !== 'ready') await new Promise((resolve) => client.once('ready', resolve));
      return (await Promise.all(client.nodes('master').map((node) => node.keys(pattern)))).flat();
    }
    return await (client as Redis).keys(pattern);
  } finally {
    (client as Redis).disconnect();
  }
}
let cleanup: () => Promise<void>;

beforeEach(async () => {
  ({ queue, prefix, cleanup } = await freshQueue('default'));
});
afterEach(async () => {
  await cleanup();
});

describe('push and pop', () => {
  test('push resolves to the stored job with an id and defaults', async () => {
    const job = await queue.push({ type: 'email', payload: { to: 'a@example.com' } });
    expect(job).toMatchObject({
      type: 'email', payload: { to: 'a@example.com' }, status: 'pending', attempts: 0, maxAttempts: 3, priority: 0, delay: 0,
    });
    expect(job.id).toMatch(/^[0-9a-z]{12}$/);
    expect(job.createdAt).toBeInstanceOf(Date);
    expect(await queue.getJob(job.id)).toEqual(job);
  });

  test('a payload over maxPayloadBytes rejects on every enqueue path, naming the limit, and stores nothing', async () => {
    const small = queue.queue(queue.name, { maxPayloadBytes: 1_000 });
    const big = { text: 'é'.repeat(600) }; // 600 characters, 1,200 bytes of UTF-8
    await expect(small.push({ type: 't', payload: big })).rejects.toThrow(/payload is 1211 bytes of JSON, over the limit of 1000/);
    await expect(small.pushDelayed({ type: 't', payload: big }, 10)).rejects.toThrow(/over the limit/);
    await expect(small.pushBulk([{ type: 't' }, { type: 't', payload: big }])).rejects.toThrow(/over the limit/);
    expect(await small.getQueueSize()).toBe(0);
    await small.push({ type: 't', payload: { text: 'é'.repeat(400) } });
    expect(await small.getQueueSize()).toBe(1);
    await small.close();
  });

  test('a type and payload with non-ASCII text, pipes and newlines come back as pushed', async () => {
    const type = 'émail|rapport ✉';
    const payload = { to: 'zoë@example.com', note: 'a|b\n|c', emoji: '🚀' };
    const job = await queue.push({ type, payload, priority: 2, timeout: 5_000 });
    expect(await queue.getJob(job.id)).toMatchObject({ type, payload, priority: 2, timeout: 5_000 });
    expect(await queue.pop()).toMatchObject({ id: job.id, type, payload, status: 'processing', attempts: 1 });
  });

  test('pop takes the highest priority first and is FIFO among equals', async () => {
    const low = await queue.push({ type: 't', payload: { n: 'low' }, priority: -5 });
    const first = await queue.push({ type: 't', payload: { n: 'first' } });
    const high = await queue.push({ type: 't', payload: { n: 'high' }, priority: 10 });
    const second = await queue.push({ type: 't', payload: { n: 'second' } });
    const order = [];
    for (let job = await queue.pop(); job; job = await queue.pop()) order.push(job.id);
    expect(order).toEqual([high.id, first.id, second.id, low.id]);
  });

  test('pop marks the job processing and counts its attempt', async () => {
    const pushed = await queue.push({ type: 't' });
    const popped = await queue.pop();
    expect(popped).toMatchObject({ id: pushed.id, status: 'processing', attempts: 1 });
    expect(await queue.getJobStatus(pushed.id)).toBe(JobStatus.Processing);
    expect(await queue.pop()).toBeNull();
  });

  test('a delayed job is pending, not ready until due, and pop returns it once due without any worker', async () => {
    const job = await queue.pushDelayed({ type: 't' }, 1_000);
    expect(job.delay).toBe(1_000);
    expect(job.status).toBe('pending');
    expect(await queue.pop()).toBeNull();
    expect(await queue.getStats()).toMatchObject({ pendingJobs: 0, delayedJobs: 1 });
    const due = await waitFor('the delayed job to be due', () => queue.pop());
    expect(due.id).toBe(job.id);
  });

  test('pushBulk stores all jobs in one step, or none when one is bad', async () => {
    const jobs = await queue.pushBulk([{ type: 'a' }, { type: 'b', priority: 3 }, { type: 'c', delay: 60_000 }]);
    expect(jobs.map((j) => j.type)).toEqual(['a', 'b', 'c']);
    expect(await queue.getStats()).toMatchObject({ pendingJobs: 2, delayedJobs: 1 });
    await expect(queue.pushBulk([{ type: 'd' }, { type: 'e', payload: { f: () => 1 } }])).rejects.toThrow(ValidationError);
    expect(await queue.getQueueSize()).toBe(3);
  });

  test('pushBulk stores each job with its own options where neighbours differ in one', async () => {
    const given = [
      { type: 'a', payload: { n: 1 } }, { type: 'a', payload: { n: 2 } }, { type: 'bb', payload: { n: 3 } },
      { type: 'bb', maxAttempts: 7 }, { type: 'bb', maxAttempts: 7, timeout: 900 }, { type: 'bb', maxAttempts: 7, group: 'g1' },
      { type: 'bb', maxAttempts: 7, group: 'g1' }, { type: 'bb', maxAttempts: 7 },
    ];
    const pushed = await queue.pushBulk(given);
    const stored = await Promise.all(pushed.map((job) => queue.getJob(job.id)));
    expect(stored.map((job) => [job!.type, job!.payload, job!.maxAttempts, job!.timeout])).toEqual([
      ['a', { n: 1 }, 3, undefined], ['a', { n: 2 }, 3, undefined], ['bb', { n: 3 }, 3, undefined], ['bb', {}, 7, undefined],
      ['bb', {}, 7, 900], ['bb', {}, 7, undefined], ['bb', {}, 7, undefined], ['bb', {}, 7, undefined],
    ]);
    expect((await queue.listJobs('pending', { limit: 10 })).filter((job) => job.group === 'g1')).toHaveLength(2);
  });
});

describe('payload and argument checks', () => {
  const bad: [string, Record<string, unknown>, RegExp][] = [
    ['a BigInt', { n: 10n }, /"n" is a bigint/],
    ['a function', { cb: () => 1 }, /"cb" is a function/],
    ['a symbol', { s: Symbol('x') }, /"s" is a symbol/],
    ['NaN', { n: Number.NaN }, /"n" is NaN/],
    ['a Map', { m: new Map() }, /"m" is a Map/],
  ];
  test.each(bad)('a payload holding %s rejects and stores nothing', async (_what, payload, message) => {
    await expect(queue.push({ type: 't', payload })).rejects.toThrow(message);
    await expect(queue.pushDelayed({ type: 't', payload }, 10)).rejects.toThrow(ValidationError);
    await expect(new JobDispatcher(queue).dispatch('t', payload)).rejects.toThrow(ValidationError);
    expect(await queue.getQueueSize()).toBe(0);
  });

  test('a circular payload rejects with a clear error', async () => {
    const payload: Record<string, unknown> = {};
    payload.self = payload;
    await expect(queue.push({ type: 't', payload })).rejects.toThrow(/payload cannot be serialised to JSON/);
    expect(await queue.getQueueSize()).toBe(0);
  });

  test('undefined properties are dropped as JSON drops them', async () => {
    const job = await queue.push({ type: 't', payload: { keep: 1, drop: undefined } });
    expect((await queue.getJob(job.id))!.payload).toEqual({ keep: 1 });
  });

  test('bad types, delays, priorities and attempts reject with the field named', async () => {
    await expect(queue.push({ type: '' })).rejects.toThrow(/job type must be a non-empty string/);
    await expect(queue.pushDelayed({ type: 't' }, -1)).rejects.toThrow(/delay must be a number of milliseconds from 0 to/);
    await expect(queue.push({ type: 't', priority: 1.5 })).rejects.toThrow(/priority must be an integer/);
    await expect(queue.push({ type: 't', priority: 10_000_000 })).rejects.toThrow(/priority must be an integer from -1000000 to 1000000/);
    await expect(queue.push({ type: 't', maxAttempts: 0 })).rejects.toThrow(/maxAttempts must be an integer/);
    await expect(queue.push({ type: 't', payload: [1] as unknown as Record<string, unknown> })).rejects.toThrow(/payload must be a plain object/);
    expect(await queue.getQueueSize()).toBe(0);
  });

  test('pushDelayed without a delay rejects, naming it, and stores nothing (it does not run the job at once)', async () => {
    await expect(queue.pushDelayed({ type: 't' }, undefined as never)).rejects.toThrow(/^pushDelayed: delay must be a number of milliseconds from 0 to \d+, got undefined$/);
    await expect((queue.pushDelayed as (job: { type: string }) => Promise<unknown>)({ type: 't' })).rejects.toThrow(/delay must be a number of milliseconds/);
    expect(await queue.getStats()).toMatchObject({ pendingJobs: 0, delayedJobs: 0 });
  });

  test('malformed job ids reject; unknown ones are null or not found', async () => {
    await expect(queue.getJob('')).rejects.toThrow(/job id must be a non-empty string/);
    expect(await queue.getJob('nosuchjob')).toBeNull();
    expect(await queue.getJobStatus('nosuchjob')).toBeNull();
    await expect(queue.cancelJob('nosuchjob')).rejects.toThrow(JobNotFoundError);
    await expect(queue.cancelJob('nosuchjob')).rejects.toThrow(/job nosuchjob not found in queue "default"/);
    await expect(queue.retryJob('nosuchjob')).rejects.toThrow(JobNotFoundError);
    await expect(queue.setPriority('nosuchjob', 1)).rejects.toThrow(JobNotFoundError);
  });
});

describe('cancel, retry and priority', () => {
  test('cancelling a pending, delayed or retrying job means it never runs', async () => {
    const pending = await queue.push({ type: 't' });
    const delayed = await queue.pushDelayed({ type: 't' }, 50);
    await queue.cancelJob(pending.id);
    await queue.cancelJob(delayed.id);
    expect(await queue.getJobStatus(pending.id)).toBe('cancelled');
    expect(await queue.getJobStatus(delayed.id)).toBe('cancelled');
    expect(await queue.getStats()).toMatchObject({ pendingJobs: 0, delayedJobs: 0, cancelledJobs: 2 });
    const other = await queue.pushDelayed({ type: 't' }, 80);
    expect((await waitFor('the later job', () => queue.pop())).id).toBe(other.id);
  });

  test('finished jobs cannot be cancelled; only failed or cancelled ones can be retried', async () => {
    const job = await queue.push({ type: 't' });
    await expect(queue.retryJob(job.id)).rejects.toThrow(InvalidJobStateError);
    await queue.cancelJob(job.id);
    await expect(queue.cancelJob(job.id)).rejects.toThrow(/job .* is cancelled; only pending, delayed, retrying or processing jobs qualify/);
    await queue.retryJob(job.id);
    const again = await queue.getJob(job.id);
    expect(again).toMatchObject({ status: 'pending', attempts: 0 });
    expect((await queue.pop())!.id).toBe(job.id);
  });

  test('setPriority re-orders a waiting job at once', async () => {
    const a = await queue.push({ type: 't' });
    const b = await queue.push({ type: 't' });
    await queue.setPriority(b.id, 7);
    expect((await queue.getJob(b.id))!.priority).toBe(7);
    expect((await queue.pop())!.id).toBe(b.id);
    expect((await queue.pop())!.id).toBe(a.id);
    await expect(queue.setPriority(a.id, 1)).rejects.toThrow(/is processing; only pending, delayed or retrying jobs qualify/);
    await expect(queue.setPriority(a.id, 2 ** 40)).rejects.toThrow(ValidationError);
  });

  test('a delayed job keeps its time but takes its new priority when due', async () => {
    const plain = await queue.push({ type: 't' });
    const delayed = await queue.pushDelayed({ type: 't' }, 100);
    await queue.setPriority(delayed.id, 9);
    await waitFor('the delayed job to be due', async () => (await queue.getStats()).delayedJobs === 0);
    expect((await queue.pop())!.id).toBe(delayed.id);
    expect((await queue.pop())!.id).toBe(plain.id);
  });
});

describe('stats and listing', () => {
  test('stats count each job once', async () => {
    await queue.push({ type: 't' });
    await queue.push({ type: 't' });
    await queue.pushDelayed({ type: 't' }, 60_000);
    const cancelled = await queue.push({ type: 't' });
    await queue.cancelJob(cancelled.id);
    await queue.pop();
    expect(await queue.getStats()).toEqual({
      pendingJobs: 1, delayedJobs: 1, processingJobs: 1, retryingJobs: 0, completedJobs: 0, failedJobs: 0, cancelledJobs: 1,
    });
    expect(await queue.getQueueSize()).toBe(2);
  });

  test('getQueueSize counts every job that waits: pending, delayed and retrying', async () => {
    const patient = queue.queue('patient', { retryDelays: [600_000] });
    const worker = new RedisWorker(patient, { pollTime: 100 });
    worker.registerHandler('fails', () => ({ success: false, error: 'not yet' }));
    try {
      const failing = await patient.push({ type: 'fails', maxAttempts: 2 });
      void worker.start();
      await waitFor('the retry planned', async () => (await patient.getJobStatus(failing.id)) === 'retrying');
      await worker.stop();
      await patient.push({ type: 'fails' });
      await patient.pushDelayed({ type: 'fails' }, 600_000);
      expect(await patient.getStats()).toMatchObject({ pendingJobs: 1, delayedJobs: 1, retryingJobs: 1 });
      expect(await patient.getQueueSize()).toBe(3);
    } finally {
      await worker.stop();
      await patient.close();
    }
  });

  test('pageJobs gives the number of jobs in the status with the page', async () => {
    for (let i = 0; i < 3; i++) await queue.cancelJob((await queue.push({ type: 't' })).id);
    await queue.pushDelayed({ type: 't' }, 60_000);
    const cancelled = await queue.pageJobs('cancelled', { limit: 2 });
    expect([cancelled.jobs.length, cancelled.total]).toEqual([2, 3]);
    expect((await queue.pageJobs('delayed')).total).toBe(1);
  });

  test('getOverview gives counts, the paused state and how long the oldest ready job waits', async () => {
    expect(await queue.getOverview()).toMatchObject({ name: 'default', paused: false, oldestReadyAt: null });
    const first = await queue.push({ type: 't', priority: 1 });
    await queue.push({ type: 't' });
    await queue.pause();
    const overview = await queue.getOverview();
    expect(overview).toMatchObject({ paused: true, stats: { pendingJobs: 2 } });
    expect(overview.oldestReadyAt!.getTime()).toBe(first.createdAt.getTime());
  });

  test('listJobs pages newest first by the time the job entered its status', async () => {
    const jobs = [];
    for (let i = 0; i < 5; i++) jobs.push(await queue.push({ type: 't', payload: { i }, priority: i % 2 }));
    const ids = jobs.map((j) => j.id).reverse();
    const all = await queue.listJobs('pending');
    expect(all.map((j) => j.id)).toEqual(ids);
    expect((await queue.listJobs('pending', { offset: 1, limit: 2 })).map((j) => j.id)).toEqual(ids.slice(1, 3));
    for (const id of [ids[4]!, ids[2]!, ids[0]!]) await queue.cancelJob(id);
    expect((await queue.listJobs('cancelled')).map((j) => j.id)).toEqual([ids[0], ids[2], ids[4]]);
    await expect(queue.listJobs('nope' as JobStatus)).rejects.toThrow(/status must be one of/);
  });
});

describe('queues and keys', () => {
  test('a queue sees only its own jobs beside another queue under the same prefix', async () => {
    const other = queue.queue('other');
    await queue.push({ type: 'mine' });
    const theirs = await other.push({ type: 'theirs' });
    expect(await queue.getQueueSize()).toBe(1);
    expect(await queue.getJob(theirs.id)).toBeNull();
    expect((await other.pop())!.id).toBe(theirs.id);
    expect(await other.pop()).toBeNull();
    await other.close();
  });

  test('every key written starts with the prefix and carries the queue hash tag', async () => {
    const d = new JobDispatcher(queue);
    await d.dispatch('t', {});
    await d.dispatch('t', {}, { queue: 'mail', delay: 1000 });
    const keys = await keysOf(`${prefix}*`);
    expect(keys.length).toBeGreaterThan(3);
    // The registry of queue names and the data format mark are the prefix's own keys, outside any
    // queue's slot (plain commands, no script).
    for (const key of keys) expect(key).toMatch(new RegExp(`^${prefix}:(\\{(default|mail)\\}:|queues$|format$)`));
    expect(keys).toContain(`${prefix}:queues`);
    await d.close();
  });

  test('JobOptions.queue routes a job to another queue of the same connection', async () => {
    const d = new JobDispatcher(queue);
    const job = await d.dispatch('t', { x: 1 }, { queue: 'mail', maxAttempts: 5, priority: 2 });
    expect(job).toMatchObject({ queue: 'mail', maxAttempts: 5, priority: 2 });
    expect(await queue.getJob(job.id)).toBeNull();
    const mail = queue.queue('mail');
    expect(await mail.getJob(job.id)).toMatchObject({ payload: { x: 1 } });
    await expect(d.dispatch('t', {}, { queue: 'bad{name}' })).rejects.toThrow(/queue name must be/);
    await mail.close();
    await d.close();
  });

  test('connect to an unreachable address rejects naming it, within the timeout', async () => {
    const started = Date.now();
    const error = await RedisQueue.connect('q', { addr: '127.0.0.1:1', connectTimeout: 1000 }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ConnectionError);
    expect((error as Error).message).toMatch(/cannot reach Redis at 127\.0\.0\.1:1/);
    expect(Date.now() - started).toBeLessThan(5_000);
  });

  test('bad connection settings reject before connecting', async () => {
    await expect(RedisQueue.connect('q', { addr: 'nohostport' })).rejects.toThrow(/addr must be "host:port"/);
    await expect(RedisQueue.connect('q', { url: 'http://x' })).rejects.toThrow(/redis:\/\/ or rediss:\/\//);
    await expect(RedisQueue.connect('q{x}', { url: REDIS_URL })).rejects.toThrow(/queue name must be/);
    await expect(RedisQueue.connect('q', { url: REDIS_URL, retryDelays: [] })).rejects.toThrow(/retryDelays/);
    await expect(RedisQueue.connect('q', { url: REDIS_URL, maxRetries: 0 })).rejects.toThrow(/maxRetries/);
  });

  test('maxRetries sets the default attempts of a job', async () => {
    const prefix2 = uniquePrefix('mr');
    const q = await RedisQueue.connect('q', { url: REDIS_URL, prefix: prefix2, maxRetries: 7 });
    expect((await q.push({ type: 't' })).maxAttempts).toBe(7);
    await q.close();
    await deletePrefix(prefix2);
  });

  test('a sibling queue keeps its own attempts and retry delays while sharing the connection', async () => {
    const strict = queue.queue('strict', { maxRetries: 9, retryDelays: [60_000] });
    const workers = [new RedisWorker(strict, { pollTime: 200 }), new RedisWorker(queue, { pollTime: 200 })];
    try {
      for (const worker of workers) {
        worker.registerHandler('fails', () => ({ success: false, error: 'no' }));
        void worker.start();
      }
      const own = await strict.push({ type: 'fails' });
      const plain = await queue.push({ type: 'fails' });
      expect(own.maxAttempts).toBe(9);
      expect(plain.maxAttempts).toBe(3);
      const waitOf = async (q: RedisQueue, id: string) => {
        const job = await waitFor('the retry planned', async () => {
          const found = await q.getJob(id);
          return found?.status === 'retrying' ? found : null;
        });
        return job.runAt!.getTime() - job.enteredAt.getTime();
      };
      // The sibling's first retry delay (60 s) applies to its jobs, the default (1 s) to the other's.
      expect(await waitOf(strict, own.id)).toBeGreaterThanOrEqual(59_000);
      expect(await waitOf(queue, plain.id)).toBeLessThan(2_000);
    } finally {
      await Promise.all(workers.map((worker) => worker.stop()));
      await strict.close();
    }
    expect(() => queue.queue('bad', { maxRetries: 0 })).toThrow(/maxRetries/);
  });

  test('ping answers with the round-trip time, however long Redis takes', async () => {
    const redis = await startPrivateRedis(await freePort());
    const admin = new Redis(redis.url);
    const slow = await RedisQueue.connect('ping', { url: redis.url, prefix: 'ping', connectTimeout: 2_000 });
    try {
      await admin.call('CLIENT', 'PAUSE', '500', 'ALL'); // Redis holds every client's commands for 500 ms
      const started = performance.now();
      const ms = await slow.ping();
      const elapsed = performance.now() - started;
      expect(ms).toBeGreaterThanOrEqual(400);
      expect(ms).toBeLessThanOrEqual(elapsed);
      const quick = await slow.ping();
      expect(quick).toBeGreaterThan(0);
    } finally {
      await slow.close();
      admin.disconnect();
      await redis.stop();
    }
  });

  test('every call of a closed queue is refused with a QueueClosedError naming the call', async () => {
    // A queue of the same connection: the connection stays open, so only the handle's own check refuses.
    const other = queue.queue('closing');
    await other.close();
    const calls: [operation: string, call: (q: RedisQueue) => unknown][] = [
      ['push', (q) => q.push({ type: 't' })], ['pushDelayed', (q) => q.pushDelayed({ type: 't' }, 10)],
      ['pushBulk', (q) => q.pushBulk([{ type: 't' }])], ['pop', (q) => q.pop()], ['getJob', (q) => q.getJob('j')],
      ['getJobStatus', (q) => q.getJobStatus('j')], ['cancelJob', (q) => q.cancelJob('j')], ['retryJob', (q) => q.retryJob('j')],
      ['setPriority', (q) => q.setPriority('j', 1)], ['removeJob', (q) => q.removeJob('j')], ['getStats', (q) => q.getQueueSize()],
      ['getOverview', (q) => q.getOverview()], ['setRateLimit', (q) => q.setRateLimit(null)], ['getRateLimit', (q) => q.getRateLimit()],
      ['isPaused', (q) => q.isPaused()], ['pause', (q) => q.pause()], ['resume', (q) => q.resume()],
      ['listJobs', (q) => q.listJobs('pending')], ['pageJobs', (q) => q.pageJobs('pending')], ['getWorkers', (q) => q.getWorkers()],
      ['retryJobs', (q) => q.retryJobs('failed')], ['clean', (q) => q.clean('completed')], ['getTotals', (q) => q.getTotals()],
      ['getHistory', (q) => q.getHistory()], ['listQueues', (q) => q.listQueues()], ['listQueueShards', (q) => q.listQueueShards()],
      ['readEvents', (q) => q.readEvents()],
      ['lastEventId', (q) => q.lastEventId()], ['schedule', (q) => q.schedule('s', { every: 60_000 }, { type: 't' })],
      ['listSchedules', (q) => q.listSchedules()], ['removeSchedule', (q) => q.removeSchedule('s')],
      ['pauseSchedule', (q) => q.pauseSchedule('s')], ['resumeSchedule', (q) => q.resumeSchedule('s')],
      ['triggerSchedule', (q) => q.triggerSchedule('s')], ['checkRedis', (q) => q.checkRedis()], ['getTopology', (q) => q.getTopology()],
      ['ping', (q) => q.ping()], ['queue', (q) => q.queue('another')],
    ];
    for (const [operation, call] of calls) {
      const refused: unknown = await (async () => call(other))().then(() => undefined, (err: unknown) => err);
      expect(refused, operation).toBeInstanceOf(QueueClosedError);
      expect((refused as Error).message, operation).toBe(`${operation}: queue "closing" is closed`);
    }
    await other.close(); // a second close is harmless
    expect(await queue.getStats()).toMatchObject({ pendingJobs: 0 });
  });
});
