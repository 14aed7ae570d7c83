/**
 * A queue of 3 shards through the public API: every call works as on an unsharded queue, ids name
 * their shard, jobs spread over the shards, order holds within one. Runs on the plain Redis (all
 * slots on one server) and again in the `cluster` project (each shard on a primary of its own).
 */
import { afterEach, beforeEach, expect, test } from 'vitest';
import { RedisQueue, RedisWorker, ValidationError, type Job } from '../../src/index.js';
import { Cluster, type Redis } from 'ioredis';
import { freshQueue, rawClient, testRedisConfig, waitFor } from '../helpers.js';

let queue: RedisQueue;
let prefix: string;
let cleanup: () => Promise<void>;

beforeEach(async () => ({ queue, prefix, cleanup } = await freshQueue('sharded', { shards: 3 })));
afterEach(() => cleanup());

const shardOf = (job: { id: string }): number => Number(job.id.split('-')[0]);

async function pushEach(count: number, priority?: (n: number) => number): Promise<Job[]> {
  const jobs: Job[] = [];
  for (let n = 0; n < count; n++) jobs.push(await queue.push({ type: 't', payload: { n }, priority: priority?.(n) ?? 0 }));
  return jobs;
}

test('ids name their shard, and jobs pushed one by one go to the shards in turn', async () => {
  const jobs = await pushEach(6);
  for (const job of jobs) expect(job.id).toMatch(/^[0-2]-[0-9a-z]+$/);
  expect(jobs.map(shardOf).sort()).toEqual([0, 0, 1, 1, 2, 2]);
  const overview = await queue.getOverview();
  expect(overview.stats.pendingJobs).toBe(6);
  expect(await queue.getQueueSize()).toBe(6);
  expect(overview.shards?.map((shard) => shard.stats.pendingJobs)).toEqual([2, 2, 2]);
});

test('the registry keeps each sharded queue\'s shard count, for a console opened without flexq.toml', async () => {
  const plain = queue.queue('plain');
  await Promise.all([queue.push({ type: 't' }), plain.push({ type: 't' })]);
  expect(await queue.listQueues()).toEqual(['plain', 'sharded']);
  expect(await plain.listQueueShards()).toEqual({ sharded: 3 });
  await plain.close();
});

test('pushBulk spreads its jobs over the shards and resolves to them in the order given', async () => {
  const jobs = await queue.pushBulk(Array.from({ length: 9 }, (_, n) => ({ type: 't', payload: { n } })));
  expect(jobs.map((job) => job.payload.n)).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8]);
  expect(new Set(jobs.map(shardOf))).toEqual(new Set([0, 1, 2]));
  for (const job of jobs) expect((await queue.getJob(job.id))?.payload).toEqual(job.payload);
  // One bad job stores none, whichever shard the others were for.
  await expect(queue.pushBulk([{ type: 't', payload: {} }, { type: '', payload: {} }])).rejects.toThrow(/type/);
  expect((await queue.getStats()).pendingJobs).toBe(9);
});

test('getJob, getJobStatus, cancelJob, retryJob and setPriority reach the job on its shard', async () => {
  const jobs = await pushEach(3);
  for (const job of jobs) {
    expect(await queue.getJobStatus(job.id)).toBe('pending');
    await queue.setPriority(job.id, 7);
    expect((await queue.getJob(job.id))?.priority).toBe(7);
    await queue.cancelJob(job.id);
    expect(await queue.getJobStatus(job.id)).toBe('cancelled');
    await expect(queue.cancelJob(job.id)).rejects.toThrow(/cancelled/);
    await queue.retryJob(job.id);
    expect(await queue.getJobStatus(job.id)).toBe('pending');
  }
  expect(await queue.getJob('2-0000000000000000')).toBeNull();
  expect(await queue.getJob('9-0000000000000000')).toBeNull();
  await expect(queue.cancelJob('1-0000000000000000')).rejects.toThrow(/not found/);
});

test('listJobs merges the shards newest first and pages across them', async () => {
  const jobs = await pushEach(7);
  const all = await queue.listJobs('pending', { limit: 50 });
  expect(all.map((job) => job.id).sort()).toEqual(jobs.map((job) => job.id).sort());
  // Newest first (jobs of one millisecond on different shards have no order between them).
  const times = all.map((job) => job.enteredAt.getTime());
  expect(times).toEqual([...times].sort((a, b) => b - a));
  const pages = [];
  for (let offset = 0; offset < 7; offset += 3) pages.push(...(await queue.listJobs('pending', { offset, limit: 3 })).map((job) => job.id));
  expect(pages).toEqual(all.map((job) => job.id));
  for (const job of jobs.slice(0, 4)) await queue.cancelJob(job.id);
  const cancelled = await queue.listJobs('cancelled', { limit: 50 });
  expect(cancelled.map((job) => job.id).sort()).toEqual(jobs.slice(0, 4).map((job) => job.id).sort());
  expect((await queue.listJobs('cancelled', { offset: 1, limit: 2 })).map((job) => job.id)).toEqual(cancelled.slice(1, 3).map((job) => job.id));
});

test('pop takes the highest priority of each shard first, and FIFO holds within a shard', async () => {
  // Priorities 0 and 5 alternate, so every shard has both.
  const jobs = await pushEach(12, (n) => (n % 2 === 0 ? 0 : 5));
  const popped: Job[] = [];
  for (let job = await queue.pop(); job; job = await queue.pop()) popped.push(job);
  expect(popped).toHaveLength(12);
  for (const shard of [0, 1, 2]) {
    const order = popped.filter((job) => shardOf(job) === shard).map((job) => job.id);
    const given = jobs.filter((job) => shardOf(job) === shard);
    const expected = [...given.filter((job) => job.priority === 5), ...given.filter((job) => job.priority === 0)].map((job) => job.id);
    expect(order).toEqual(expected);
  }
});

test('claims go round the shards: a backlog on each is served in turn, not one shard first', async () => {
  await queue.pushBulk(Array.from({ length: 30 }, (_, n) => ({ type: 't', payload: { n } })));
  const popped: Job[] = [];
  for (let i = 0; i < 6; i++) popped.push((await queue.pop())!);
  expect(popped.map(shardOf).sort()).toEqual([0, 0, 1, 1, 2, 2]);
});

test('pause holds every shard, and a worker runs the jobs of all shards once resumed', async () => {
  await queue.pause();
  expect(await queue.isPaused()).toBe(true);
  expect((await queue.getOverview()).shards?.every((shard) => shard.paused)).toBe(true);
  const jobs = await pushEach(9);
  expect(await queue.pop()).toBeNull();
  const ran: string[] = [];
  const worker = new RedisWorker(queue, { numWorkers: 4, pollTime: 100 });
  worker.registerHandler('t', (_ctx, job) => {
    ran.push(job.id);
    return { success: true, data: job.payload.n };
  });
  void worker.start();
  await queue.resume();
  expect(await queue.isPaused()).toBe(false);
  await waitFor('every job to complete', async () => (await queue.getStats()).completedJobs === 9);
  await worker.stop();
  expect([...ran].sort()).toEqual(jobs.map((job) => job.id).sort());
  expect((await queue.getJob(jobs[4]!.id))?.result).toBe(4);
});

test('a worker keeps the leases of long jobs on every shard, and a stop with a timeout hands each back to its shard', async () => {
  const jobs = await pushEach(3); // one per shard
  expect(new Set(jobs.map(shardOf))).toEqual(new Set([0, 1, 2]));
  const started = new Set<string>();
  let runs = 0;
  // The jobs outlast their 1.5 s lease: only renewals on each job's shard keep them from a second run.
  const worker = new RedisWorker(queue, { numWorkers: 3, pollTime: 100, visibilityTimeout: 1_500 });
  worker.registerHandler('t', async (ctx, job) => {
    runs++;
    started.add(job.id);
    await new Promise((resolve) => ctx.signal.addEventListener('abort', resolve));
    return { success: false, error: 'stopped' };
  });
  const other = new RedisWorker(queue, { numWorkers: 3, pollTime: 100 });
  other.registerHandler('t', () => {
    runs++;
    return { success: true };
  });
  void worker.start();
  await waitFor('a job running on each shard', () => started.size === 3);
  void other.start();
  await new Promise((resolve) => setTimeout(resolve, 3_500));
  expect(runs).toBe(3);
  await other.stop();
  await worker.stop({ timeout: 50 });
  const stats = await queue.getStats();
  expect([stats.pendingJobs, stats.processingJobs]).toEqual([3, 0]);
  for (const job of jobs) expect(await queue.getJob(job.id)).toMatchObject({ status: 'pending', attempts: 0 });
});

/** How many blocking waits on a wake list the worker of queue "sharded" has open, over every primary. */
async function openWaits(): Promise<number> {
  const client = rawClient() as unknown as Redis | Cluster;
  try {
    if (client instanceof Cluster && client.status !== 'ready') await new Promise((resolve) => client.once('ready', resolve));
    const nodes = client instanceof Cluster ? client.nodes('master') : [client];
    const lists = await Promise.all(nodes.map((node: Redis) => node.client('LIST') as Promise<string>));
    return lists.join('\n').split('\n').filter((line) => line.includes('name=flexq:sharded:wait') && line.includes('cmd=blpop')).length;
  } finally {
    client.disconnect();
  }
}

test('an idle worker waits on every shard, and wakes for a job on any of them', async () => {
  const ran: string[] = [];
  const worker = new RedisWorker(queue, { numWorkers: 1, pollTime: 60_000 });
  worker.registerHandler('t', (_ctx, job) => {
    ran.push(job.id);
    return { success: true };
  });
  void worker.start();
  try {
    // With a minute's pollTime, only the shard's wake marker can start each job once the worker waits.
    for (let n = 0; n < 3; n++) {
      await waitFor('the worker to wait on all three shards', async () => (await openWaits()) === 3);
      const job = await queue.push({ type: 't', payload: { n } });
      await waitFor(`job ${job.id} to run`, () => ran.includes(job.id));
    }
  } finally {
    await worker.stop();
  }
});

test('the event feed merges the shards and its positions resume where they stopped', async () => {
  const start = await queue.lastEventId();
  const jobs = await pushEach(4);
  const events = await queue.readEvents(start);
  expect(events.filter((event) => event.event === 'added').flatMap((event) => event.jobIds).sort()).toEqual(jobs.map((job) => job.id).sort());
  await queue.cancelJob(jobs[0]!.id);
  const later = await queue.readEvents(events.at(-1)!.id);
  expect(later.map((event) => [event.event, event.jobIds])).toEqual([['cancelled', [jobs[0]!.id]]]);
  expect(await queue.readEvents(later.at(-1)!.id)).toEqual([]);
});

test('a queue that grows from one shard to three keeps its jobs', async () => {
  const single = await RedisQueue.connect('grows', { ...testRedisConfig(), prefix });
  const old = await single.push({ type: 't', payload: { n: 0 } });
  await single.close();
  const grown = await RedisQueue.connect('grows', { ...testRedisConfig(), prefix, shards: 3 });
  try {
    expect((await grown.getJob(old.id))?.status).toBe('pending');
    expect((await grown.getStats()).pendingJobs).toBe(1);
    const popped = [];
    for (let job = await grown.pop(); job; job = await grown.pop()) popped.push(job.id);
    expect(popped).toEqual([old.id]);
  } finally {
    await grown.close();
  }
});

test("a sibling queue of a sharded one has shards only when its own settings say so", async () => {
  const plain = queue.queue('plain');
  const sharded = queue.queue('other', { shards: 2 });
  try {
    expect(plain.shardCount).toBe(1);
    expect((await plain.push({ type: 't' })).id).not.toContain('-');
    expect(sharded.shardCount).toBe(2);
    expect((await sharded.push({ type: 't' })).id).toMatch(/^[01]-/);
  } finally {
    await plain.close();
    await sharded.close();
  }
});

test('jobs with the same group or uniqueKey go to one shard; a job with both is refused', async () => {
  const grouped: Job[] = [];
  for (let n = 0; n < 6; n++) grouped.push(await queue.push({ type: 't', payload: { n }, group: 'tenant-7' }));
  expect(new Set(grouped.map(shardOf)).size).toBe(1);
  const keyed: Job[] = [];
  for (let n = 0; n < 3; n++) keyed.push(await queue.push({ type: 't', payload: { n }, uniqueKey: 'order-1' }));
  expect(new Set(keyed.map((job) => job.id)).size).toBe(1);
  // The group's cap would hold on one shard and the key on another: neither may give way quietly.
  const both = queue.pushBulk([{ type: 't' }, { type: 't', uniqueKey: 'order-2', group: 'tenant-7' }]);
  await expect(both).rejects.toThrow(ValidationError);
  await expect(both).rejects.toThrow(/a job of a queue of 3 shards takes a group or a uniqueKey, not both/);
  expect((await queue.getStats()).pendingJobs).toBe(7);
});

test('retention keeps about keepCompleted.count finished jobs over all shards, not that many per shard', async () => {
  const kept = queue.queue('kept', { shards: 3, keepCompleted: { count: 30 } });
  const worker = new RedisWorker(kept, { numWorkers: 10, pollTime: 100 });
  worker.registerHandler('t', () => ({ success: true }));
  try {
    await kept.pushBulk(Array.from({ length: 300 }, () => ({ type: 't' })));
    void worker.start();
    await waitFor('every job to finish', async () => {
      const { stats } = await kept.getOverview();
      return stats.pendingJobs + stats.processingJobs === 0;
    });
    await worker.stop();
    expect((await kept.getStats()).completedJobs).toBeLessThanOrEqual(30);
  } finally {
    await worker.stop();
    await kept.close();
  }
});

test('shards must be a whole number from 1 to 64', async () => {
  for (const shards of [0, 1.5, 65]) {
    await expect(RedisQueue.connect('bad', { ...testRedisConfig(), prefix, shards })).rejects.toThrow(/shards must be an integer from 1 to 64/);
  }
});
