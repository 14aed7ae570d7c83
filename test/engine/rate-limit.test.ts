/**
 * Rate limits through the public API: at most `max` starts in any `per` ms across worker
 * processes, and a worker held back by the limit waits without traffic and starts again as the
 * window opens.
 */
import { Redis } from 'ioredis';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RedisQueue, RedisWorker, ValidationError } from '../../src/index.js';
import { CLUSTER_NODES, REDIS_URL, deletePrefix, freePort, startPrivateRedis, testRedisConfig, uniquePrefix, waitFor, type PrivateRedis } from '../helpers.js';
import { requireBuild, startChild } from './processes.js';
import { useWorkerFixture } from './worker-fixture.js';

const WORKER = fileURLToPath(new URL('../fixtures/rate-limited-worker.mjs', import.meta.url));

describe('setRateLimit', () => {
  const f = useWorkerFixture();

  it('is stored for the queue, read back with its window, and lifted with null', async () => {
    expect(await f.queue.getRateLimit()).toBeNull();
    await f.queue.setRateLimit({ max: 100, per: 1_000 });
    expect(await f.queue.getRateLimit()).toEqual({ max: 100, per: 1_000, started: 0, opensIn: 0 });
    // Another handle of the same queue (another process, say) sees it.
    expect(await f.queue.queue(f.queue.name).getRateLimit()).toMatchObject({ max: 100, per: 1_000 });
    await f.queue.setRateLimit(null);
    expect(await f.queue.getRateLimit()).toBeNull();
  });

  it('refuses a bad limit, naming what is wrong, and keeps the stored one', async () => {
    await f.queue.setRateLimit({ max: 5, per: 1_000 });
    const bad: [unknown, RegExp][] = [
      [undefined, /the limit must be \{ max, per \} or null/],
      [{ max: 0, per: 1_000 }, /max must be an integer from 1 to 1000000, got 0/],
      [{ max: 2.5, per: 1_000 }, /max must be an integer/],
      [{ max: 5, per: '1s' }, /per must be a whole number of milliseconds from 1 to \d+, got 1s/],
      [{ max: 5 }, /per must be/],
    ];
    for (const [limit, message] of bad) {
      const set = f.queue.setRateLimit(limit as never);
      await expect(set).rejects.toThrow(ValidationError);
      await expect(set).rejects.toThrow(message);
    }
    expect(await f.queue.getRateLimit()).toMatchObject({ max: 5, per: 1_000 });
  });

  it('pop() gets nothing while the window is full, and the overview says the queue is held', async () => {
    await f.queue.setRateLimit({ max: 1, per: 60_000 });
    await f.queue.pushBulk([{ type: 't' }, { type: 't' }]);
    expect(await f.queue.pop()).not.toBeNull();
    expect(await f.queue.pop()).toBeNull();
    const overview = await f.queue.getOverview();
    expect(overview.rateLimited).toBe(true);
    expect(overview.rateLimit).toMatchObject({ max: 1, started: 1 });
    await f.queue.setRateLimit(null);
    expect((await f.queue.getOverview()).rateLimited).toBe(false);
    expect(await f.queue.pop()).not.toBeNull();
  });

  it('the overview says the queue is held only while jobs wait behind a full window', async () => {
    await f.queue.setRateLimit({ max: 2, per: 60_000 });
    await f.queue.push({ type: 't' });
    expect((await f.queue.getOverview()).rateLimited, 'a job waits, the window has room').toBe(false);
    await f.queue.pop();
    await f.queue.push({ type: 't' });
    await f.queue.pop();
    expect((await f.queue.getOverview()).rateLimited, 'the window is full, nothing waits').toBe(false);
    await f.queue.push({ type: 't' });
    expect((await f.queue.getOverview()).rateLimited, 'a job waits behind the full window').toBe(true);
  });
});

describe('a limit of 10 per second over two worker processes', () => {
  beforeAll(() => requireBuild());

  it('starts 50 jobs at most 10 in any second of Redis time, on both processes', async () => {
    const prefix = uniquePrefix('rate');
    const queue = await RedisQueue.connect('rate', { ...testRedisConfig(), prefix });
    await queue.setRateLimit({ max: 10, per: 1_000 });
    const workers = [0, 1].map(() => startChild(process.execPath, [WORKER], {
      REDIS_URL, FLEXQ_CLUSTER: CLUSTER_NODES?.join(',') ?? '', FLEXQ_PREFIX: prefix, FLEXQ_QUEUE: 'rate',
    }));
    try {
      await Promise.all(workers.map((w) => w.line(/^READY$/)));
      await queue.pushBulk(Array.from({ length: 50 }, (_, i) => ({ type: 'tick', payload: { i } })));
      const started = () => workers.flatMap((w) => w.lines.filter((l) => l.startsWith('STARTED ')));
      await waitFor('50 jobs to start', () => started().length >= 50, { timeoutMs: 60_000, intervalMs: 100 });
      // Claim times on Redis' clock, the one the limit counts on (so a slow machine cannot skew them).
      const times = started().map((line) => Number(line.split(' ')[2])).sort((a, b) => a - b);
      expect(new Set(started().map((line) => line.split(' ')[1])).size).toBe(50);
      for (const [i, at] of times.entries()) {
        const inWindow = times.slice(i).filter((t) => t < at + 1_000).length;
        expect(inWindow, `starts in the second from ${at}`).toBeLessThanOrEqual(10);
      }
      // 50 jobs, 10 a second: the last ten cannot start before 4 s after the first.
      expect(times.at(-1)! - times[0]!).toBeGreaterThanOrEqual(4_000);
      for (const w of workers) expect(w.lines.some((l) => l.startsWith('STARTED '))).toBe(true);
    } finally {
      await Promise.all(workers.map((w) => w.stop()));
      await queue.close();
      await deletePrefix(prefix);
    }
  });
});

describe('a worker held back by the limit', () => {
  let redis: PrivateRedis;
  beforeAll(async () => (redis = await startPrivateRedis(await freePort())));
  afterAll(() => redis.stop());

  it('costs a claim of a queue without a limit no command: the limit key is read in the claim\'s one MGET', async () => {
    const queue = await RedisQueue.connect('unlimited', { url: redis.url, prefix: uniquePrefix('unlimited') });
    const admin = new Redis(redis.url);
    const calls = async (command: string) => Number(new RegExp(`cmdstat_${command}:calls=(\\d+)`).exec(await admin.info('commandstats'))?.[1] ?? 0);
    try {
      await queue.push({ type: 't' });
      await admin.config('RESETSTAT');
      expect(await queue.pop()).not.toBeNull();
      expect(await calls('mget')).toBe(1);
      for (const command of ['get', 'exists', 'zcard', 'zremrangebyscore']) expect(await calls(command), command).toBe(0);
    } finally {
      await queue.close();
      admin.disconnect();
    }
  });

  it('sends nothing while it waits, and starts the next job when the window opens, not a poll later', async () => {
    const queue = await RedisQueue.connect('held', { url: redis.url, prefix: uniquePrefix('held') });
    await queue.setRateLimit({ max: 1, per: 3_000 });
    // A long pollTime: a worker that waited on its wake marker would start the second job 60 s late.
    const worker = new RedisWorker(queue, { numWorkers: 4, pollTime: 60_000 });
    const started: string[] = [];
    worker.registerHandler('t', (_ctx, job) => {
      started.push(job.id);
      return { success: true };
    });
    const info = new Redis(redis.url);
    const commands = async () => Number(/total_commands_processed:(\d+)/.exec(await info.info('stats'))![1]);
    try {
      const [first, second] = await queue.pushBulk([{ type: 't' }, { type: 't' }]);
      void worker.start();
      await waitFor('the first job to complete', async () => (await queue.getJobStatus(first!.id)) === 'completed');
      const before = await commands();
      await new Promise((resolve) => setTimeout(resolve, 1_500));
      const sent = (await commands()) - before;
      expect(await queue.getJobStatus(second!.id)).toBe('pending');
      // The INFO calls and perhaps a heartbeat; a worker claiming in a loop sends thousands.
      expect(sent).toBeLessThan(25);
      await waitFor('the second job to start', () => started.length === 2, { timeoutMs: 20_000 });
    } finally {
      await worker.stop();
      await queue.close();
      info.disconnect();
    }
  });
});
