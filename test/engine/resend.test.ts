/**
 * A reply lost with its connection: Redis ran the call, the client never heard, and ioredis sends
 * the call again once it has reconnected. Every write must then come out as if it ran once. A
 * proxy drops the reply of one chosen call; each test first checks that the drop happened.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { RedisQueue, RedisWorker } from '../../src/index.js';
import { startFaultProxy, type FaultProxy } from '../fault-proxy.js';
import { deletePrefix, rawClient, uniquePrefix, waitFor } from '../helpers.js';

let proxy: FaultProxy;
let queue: RedisQueue;
let prefix: string;
const raw = rawClient();

beforeEach(async () => {
  proxy = await startFaultProxy({ host: '127.0.0.1', port: 6379 });
  prefix = uniquePrefix('resend');
  queue = await RedisQueue.connect('q', { url: proxy.url, prefix });
});

afterEach(async () => {
  await queue.close();
  await proxy.close();
  await deletePrefix(prefix);
});

/** Jobs stored in the queue, counted behind the engine's back. */
const storedJobs = () => raw.hlen(`${prefix}:{q}:jobs`);
/** Ids in the queue's ready lists (level 0). */
const readyIds = () => raw.lrange(`${prefix}:{q}:ready:0`, 0, -1);

describe('a write whose reply is lost is not done twice', () => {
  it('push stores one job', async () => {
    proxy.dropReplyTo('_addJobs');
    const job = await queue.push({ type: 't', payload: { n: 1 } });
    expect(proxy.drops).toBe(1);
    expect(await storedJobs()).toBe(1);
    expect(await readyIds()).toEqual([job.id]);
    expect((await queue.getStats()).pendingJobs).toBe(1);
  });

  it('pushBulk stores each job once, in order', async () => {
    proxy.dropReplyTo('_addJobs');
    const jobs = await queue.pushBulk([1, 2, 3, 4, 5].map((n) => ({ type: 't', payload: { n } })));
    expect(proxy.drops).toBe(1);
    expect(await storedJobs()).toBe(5);
    expect(await readyIds()).toEqual(jobs.map((job) => job.id));
  });

  it('cancel reports success and cancels once', async () => {
    const job = await queue.push({ type: 't' });
    proxy.dropReplyTo('_cancelJob');
    await queue.cancelJob(job.id);
    expect(proxy.drops).toBe(1);
    expect(await queue.getJobStatus(job.id)).toBe('cancelled');
    expect(await raw.llen(`${prefix}:{q}:cancelled`)).toBe(1);
    // A real second cancel still says the job is finished.
    await expect(queue.cancelJob(job.id)).rejects.toThrow(/is cancelled/);
  });

  it('retry reports success and queues the job once', async () => {
    const job = await queue.push({ type: 't' });
    await queue.cancelJob(job.id);
    proxy.dropReplyTo('_retryJob');
    await queue.retryJob(job.id);
    expect(proxy.drops).toBe(1);
    // The cancel's tombstone, and one new entry (a second run would have added another).
    expect(await readyIds()).toEqual([expect.stringMatching(/^~\d+$/), job.id]);
    expect((await queue.getStats()).pendingJobs).toBe(1);
    expect((await queue.listJobs('pending')).map((j) => j.id)).toEqual([job.id]);
  });

  it('setPriority moves the job once', async () => {
    const a = await queue.push({ type: 't' });
    const b = await queue.push({ type: 't' });
    proxy.dropReplyTo('_setPriority');
    await queue.setPriority(a.id, 3);
    expect(proxy.drops).toBe(1);
    expect(await raw.lrange(`${prefix}:{q}:ready:3`, 0, -1)).toEqual([a.id]);
    expect(await readyIds()).toEqual([expect.stringMatching(/^~\d+$/), b.id]); // a's old place, a tombstone
    expect((await queue.getStats()).pendingJobs).toBe(2);
    expect((await queue.pop())!.id).toBe(a.id);
    expect((await queue.pop())!.id).toBe(b.id);
    expect(await queue.pop()).toBeNull();
  });

  it("a worker's lost claim reply orphans no job", async () => {
    const jobs = await queue.pushBulk([1, 2, 3].map((n) => ({ type: 't', payload: { n }, maxAttempts: 1 })));
    const runs: string[] = [];
    const worker = new RedisWorker(queue, { numWorkers: 1, pollTime: 100, visibilityTimeout: 60_000 });
    worker.registerHandler('t', (_ctx, job) => {
      runs.push(job.id);
      return { success: true };
    });
    proxy.dropReplyTo('_claimJobs');
    void worker.start();
    await waitFor('every job to complete', async () => (await queue.getStats()).completedJobs === 3);
    await worker.stop();
    expect(proxy.drops).toBe(1);
    expect(runs.sort()).toEqual(jobs.map((job) => job.id).sort());
    expect((await queue.getStats()).failedJobs).toBe(0);
  });

  it("a lost finish-and-claim reply records each outcome once and orphans no job", async () => {
    const jobs = await queue.pushBulk([1, 2, 3, 4].map((n) => ({ type: 't', payload: { n }, maxAttempts: 1 })));
    const runs: string[] = [];
    const worker = new RedisWorker(queue, { numWorkers: 1, pollTime: 100, visibilityTimeout: 60_000 });
    worker.registerHandler('t', (_ctx, job) => {
      runs.push(job.id);
      return { success: true, data: { n: job.payload.n } };
    });
    proxy.dropReplyTo('_finishAndClaimJobs');
    void worker.start();
    await waitFor('every job to complete', async () => (await queue.getStats()).completedJobs === 4);
    await worker.stop();
    expect(proxy.drops).toBe(1);
    expect(runs.sort()).toEqual(jobs.map((job) => job.id).sort());
    const stored = await Promise.all(jobs.map((job) => queue.getJob(job.id)));
    expect(stored.map((job) => job!.result)).toEqual([1, 2, 3, 4].map((n) => ({ n })));
    expect(await raw.llen(`${prefix}:{q}:completed`)).toBe(4);
  });

  it("keeps a worker's claims for resending under a few keys of its own, however many claims it makes", async () => {
    await queue.pushBulk(Array.from({ length: 20 }, () => ({ type: 't' })));
    // One slot: a claim per job, twenty in all.
    const worker = new RedisWorker(queue, { numWorkers: 1, pollTime: 100 });
    worker.registerHandler('t', () => ({ success: true }));
    void worker.start();
    await waitFor('every job to complete', async () => (await queue.getStats()).completedJobs === 20);
    await worker.stop();
    const kept = await raw.keys(`${prefix}:{q}:claimed:*`);
    expect(kept.length).toBeGreaterThan(1);
    expect(kept.length).toBeLessThanOrEqual(8);
    for (const key of kept) expect(key).toMatch(new RegExp(`^${prefix}:\\{q\\}:claimed:${worker.id}:[0-7]$`));
  });

  it('a lost lease renewal leaves the running job to finish once', async () => {
    const job = await queue.push({ type: 't', maxAttempts: 1 });
    let runs = 0;
    // The lease (6 s) outlasts the job five times over: only the lost reply can break it, not a slow machine.
    const worker = new RedisWorker(queue, { numWorkers: 1, pollTime: 100, visibilityTimeout: 6_000 });
    worker.registerHandler('t', async () => {
      runs++;
      await new Promise((resolve) => setTimeout(resolve, 1_200));
      return { success: true };
    });
    proxy.dropReplyTo('_extendLeases');
    void worker.start();
    await waitFor('the job to complete', async () => (await queue.getJobStatus(job.id)) === 'completed');
    await worker.stop();
    expect(proxy.drops).toBe(1);
    expect(runs).toBe(1);
  });
});

describe('a unique push whose reply is lost resolves as the first call did', () => {
  it('a unique push sent twice resolves to the one job it stored', async () => {
    proxy.dropReplyTo('_addJobs');
    const job = await queue.push({ type: 't', payload: { n: 1 }, uniqueKey: 'k' });
    expect(proxy.drops).toBe(1);
    expect(await storedJobs()).toBe(1);
    expect(await queue.getJob(job.id)).toMatchObject({ status: 'pending', payload: { n: 1 } });
    expect((await queue.push({ type: 't', uniqueKey: 'k' })).id).toBe(job.id);
  });

  it('a pushBulk with a duplicate inside, sent twice, answers as the first call would have', async () => {
    proxy.dropReplyTo('_addJobs');
    const jobs = await queue.pushBulk([
      { type: 't', payload: { n: 1 }, uniqueKey: 'a' },
      { type: 't', payload: { n: 2 } },
      { type: 't', payload: { n: 3 }, uniqueKey: 'a' },
    ]);
    expect(proxy.drops).toBe(1);
    expect(await storedJobs()).toBe(2);
    expect(jobs[2]!.id).toBe(jobs[0]!.id);
    expect(jobs[2]!.payload).toEqual({ n: 1 });
    expect((await queue.getStats()).pendingJobs).toBe(2);
  });
});
