import { describe, expect, test } from 'vitest';
import { ConnectionError, JobDispatcher, RedisQueue, RedisWorker } from '../../src/index.js';
import { freshQueue, rawClient, usePrivateRedis, waitFor } from '../helpers.js';

describe('listing and the event feed', () => {
  test("listJobs('delayed') lists the soonest first, whatever the order of dispatch", async () => {
    const { queue, cleanup } = await freshQueue('delayed');
    try {
      const in30 = await queue.pushDelayed({ type: 't', payload: { in: 30 } }, 30_000);
      const in10 = await queue.pushDelayed({ type: 't', payload: { in: 10 } }, 10_000);
      const in20 = await queue.pushDelayed({ type: 't', payload: { in: 20 } }, 20_000);
      const in40 = await queue.pushDelayed({ type: 't', payload: { in: 40 } }, 40_000);
      expect((await queue.listJobs('delayed')).map((job) => job.id)).toEqual([in10.id, in20.id, in30.id, in40.id]);
      expect((await queue.listJobs('delayed', { offset: 1, limit: 2 })).map((job) => job.id)).toEqual([in20.id, in30.id]);
    } finally {
      await cleanup();
    }
  });

  test("a delayed job whose time has come is listed as pending, not as delayed", async () => {
    const { queue, cleanup } = await freshQueue('due');
    try {
      const later = await queue.pushDelayed({ type: 't' }, 60_000);
      const due = await queue.pushDelayed({ type: 't' }, 1);
      await new Promise((resolve) => setTimeout(resolve, 20));
      expect((await queue.listJobs('delayed')).map((job) => job.id)).toEqual([later.id]);
      expect((await queue.listJobs('pending')).map((job) => job.id)).toEqual([due.id]);
    } finally {
      await cleanup();
    }
  });

  test('an event that names no job (a pause) reads with no job ids; one naming jobs lists them', async () => {
    const { queue, cleanup } = await freshQueue('feed-ids');
    try {
      const job = await queue.push({ type: 't' });
      await queue.pause();
      const events = await queue.readEvents();
      expect(events.map(({ event, jobIds, jobCount }) => ({ event, jobIds, jobCount }))).toEqual([
        { event: 'added', jobIds: [job.id], jobCount: 1 },
        { event: 'paused', jobIds: [], jobCount: 0 },
      ]);
    } finally {
      await cleanup();
    }
  });

  test('the event feed stays near eventsMaxLen however many operations ran', async () => {
    const { queue, prefix, cleanup } = await freshQueue('feed', { eventsMaxLen: 200 });
    const raw = rawClient();
    try {
      // One feed entry per script call: 1,500 separate pushes, far past the cap.
      for (let round = 0; round < 15; round++) {
        await Promise.all(Array.from({ length: 100 }, () => queue.push({ type: 't' })));
      }
      expect(await queue.getQueueSize()).toBe(1_500);
      const length = await raw.xlen(`${prefix}:{feed}:events`);
      // MAXLEN ~ trims whole stream nodes (100 entries each), so it may stay up to a node above.
      expect(length).toBeGreaterThanOrEqual(200);
      expect(length).toBeLessThanOrEqual(300);
    } finally {
      raw.disconnect();
      await cleanup();
    }
  });
});

describe('connections (on a private Redis, so every client there is ours)', () => {
  const redis = usePrivateRedis();

  /** Names of the flexq clients connected now. */
  async function flexqClients(): Promise<string[]> {
    const list = (await redis.admin.call('CLIENT', 'LIST')) as string;
    return list.split('\n').map((line) => /\bname=(\S*)/.exec(line)?.[1] ?? '').filter((name) => name.startsWith('flexq:')).sort();
  }

  test('close() releases the shared connection only when the last queue sharing it closes', async () => {
    const first = await RedisQueue.connect('first', { url: redis.url, prefix: 'close' });
    const second = first.queue('second');
    expect(await flexqClients()).toHaveLength(1);
    await first.close();
    expect(await flexqClients()).toHaveLength(1);
    await second.push({ type: 't' }); // still usable
    await second.close();
    await waitFor('the connection gone from CLIENT LIST', async () => (await flexqClients()).length === 0, { timeoutMs: 5_000 });
  });

  test("a dispatcher opens one handle per other queue it sends to, and its close() releases those, not the queue it was given", async () => {
    const queue = await RedisQueue.connect('home', { url: redis.url, prefix: 'dispatch' });
    const dispatcher = new JobDispatcher(queue);
    await dispatcher.dispatch('t', {}, { queue: 'mail' });
    await dispatcher.dispatchDelayed('t', {}, 60_000, { queue: 'mail' });
    await dispatcher.dispatchBulk([{ type: 't' }], 'mail');
    await dispatcher.dispatch('t', {}, { queue: 'home' });
    await dispatcher.close();
    await queue.push({ type: 't' }); // the given queue stays open
    await queue.close();
    await waitFor('the connection gone from CLIENT LIST', async () => (await flexqClients()).length === 0, { timeoutMs: 5_000 });
  });

  test("closing the queue a dispatcher was given also closes the handles it opened for other queues, so the connection goes", async () => {
    const queue = await RedisQueue.connect('home', { url: redis.url, prefix: 'dispatch' });
    const dispatcher = new JobDispatcher(queue);
    await dispatcher.dispatch('t', {}, { queue: 'mail' });
    // The dispatcher is never closed, as a short script would leave it.
    await queue.close();
    await waitFor('the connection gone from CLIENT LIST', async () => (await flexqClients()).length === 0, { timeoutMs: 5_000 });
    await expect(dispatcher.dispatch('t', {}, { queue: 'mail' })).rejects.toThrow(/closed/);
  });

  test("a dispatcher's refusal of a bad queue name names the call", async () => {
    const queue = await RedisQueue.connect('home', { url: redis.url, prefix: 'dispatch' });
    const dispatcher = new JobDispatcher(queue);
    await expect(dispatcher.dispatch('t', {}, { queue: 'bad{x}' })).rejects.toThrow(/^dispatch: queue name must be/);
    await expect(dispatcher.dispatchDelayed('t', {}, 10, { queue: 'bad{x}' })).rejects.toThrow(/^dispatchDelayed: queue name must be/);
    await expect(dispatcher.dispatchBulk([{ type: 't' }], 'bad{x}')).rejects.toThrow(/^dispatchBulk: queue name must be/);
    await queue.close();
  });

  test("connect to a Redis that cannot load flexq's library (out of memory) fails naming why, and leaves no connection", async () => {
    await redis.admin.call('FUNCTION', 'FLUSH');
    await redis.admin.config('SET', 'maxmemory', '1', 'maxmemory-policy', 'noeviction');
    try {
      const error = await RedisQueue.connect('oom', { url: redis.url, prefix: 'oom' }).catch((err: unknown) => err);
      expect(error).toBeInstanceOf(ConnectionError);
      expect((error as Error).message).toMatch(/^Redis did not load flexq's function library \(flexq needs Redis 7 or later\): OOM/);
      await waitFor('no flexq connection left', async () => (await flexqClients()).length === 0, { timeoutMs: 5_000 });
    } finally {
      await redis.admin.config('SET', 'maxmemory', '0');
    }
  });

  /** Connections of a running worker with every one of its `numWorkers` slots busy. */
  async function connectionsAtConcurrency(numWorkers: number): Promise<string[]> {
    const queue = await RedisQueue.connect('conc', { url: redis.url, prefix: `conc${numWorkers}` });
    const worker = new RedisWorker(queue, { numWorkers, pollTime: 200 });
    let release!: () => void;
    const held = new Promise<void>((resolve) => (release = resolve));
    worker.registerHandler('hold', () => held.then(() => ({ success: true })));
    void worker.start();
    try {
      await queue.pushBulk(Array.from({ length: numWorkers * 2 }, () => ({ type: 'hold' })));
      await waitFor(`${numWorkers} busy slots`, () => worker.activeJobs === numWorkers);
      return await flexqClients();
    } finally {
      release();
      await worker.stop();
      await queue.close();
      await waitFor('the connections closed', async () => (await flexqClients()).length === 0, { timeoutMs: 5_000 });
    }
  }

  test('connections do not grow with concurrency: a worker of 50 busy slots uses as many as a worker of 1', async () => {
    const one = await connectionsAtConcurrency(1);
    const fifty = await connectionsAtConcurrency(50);
    expect(one).toEqual(['flexq:conc', 'flexq:conc:wait']);
    expect(fifty).toEqual(one);
  });
});
