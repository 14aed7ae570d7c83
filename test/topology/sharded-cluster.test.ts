/**
 * Part of the `cluster` project: a 3-shard queue on the 3-primary cluster. Each shard is on a
 * primary of its own, and 10,000 jobs run by two workers each complete exactly once, as a ledger
 * outside flexq (a set on the tests' plain Redis, which the handler adds each run to) shows.
 */
import { Cluster, Redis } from 'ioredis';
import { expect, it } from 'vitest';
import { RedisWorker } from '../../src/index.js';
import { REDIS_URL, freshQueue, rawClient, waitFor } from '../helpers.js';

const JOBS = 10_000;

it('puts each shard of a 3-shard queue on a primary of its own', async () => {
  const { queue, prefix, cleanup } = await freshQueue('spread', { shards: 3 });
  const raw = rawClient() as unknown as Cluster;
  try {
    await queue.pushBulk(Array.from({ length: 30 }, () => ({ type: 't' })));
    if (raw.status !== 'ready') await new Promise((resolve) => raw.once('ready', resolve));
    const holders = [];
    for (const node of raw.nodes('master')) {
      const [, keys] = await node.scan('0', 'MATCH', `${prefix}:*:jobs`, 'COUNT', 1000);
      holders.push(keys.length);
    }
    expect(holders).toEqual([1, 1, 1]);
  } finally {
    raw.disconnect();
    await cleanup();
  }
});

it('runs 10,000 jobs of a 3-shard queue exactly once, over all three primaries', async () => {
  const { queue, prefix, cleanup } = await freshQueue('ledger', { shards: 3, keepCompleted: { count: JOBS } });
  const ledger = new Redis(REDIS_URL);
  const ledgerKey = `${prefix}:ledger`;
  const second = queue.queue('ledger', { shards: 3, keepCompleted: { count: JOBS } });
  let duplicates = 0;
  const workers = [queue, second].map((q) => {
    const worker = new RedisWorker(q, { numWorkers: 50, pollTime: 200 });
    worker.registerHandler('t', async (_ctx, job) => {
      if ((await ledger.sadd(ledgerKey, job.id)) === 0) duplicates++;
      return { success: true };
    });
    return worker;
  });
  try {
    for (const worker of workers) void worker.start();
    const ids: string[] = [];
    for (let sent = 0; sent < JOBS; sent += 1_000) {
      const jobs = await queue.pushBulk(Array.from({ length: 1_000 }, (_, i) => ({ type: 't', payload: { n: sent + i } })));
      ids.push(...jobs.map((job) => job.id));
    }
    await waitFor('every job in the ledger', async () => (await ledger.scard(ledgerKey)) >= JOBS, { timeoutMs: 120_000, intervalMs: 200 });
    await waitFor('every outcome recorded', async () => (await queue.getStats()).completedJobs === JOBS, { timeoutMs: 30_000, intervalMs: 100 });
    await Promise.all(workers.map((worker) => worker.stop()));
    expect(duplicates).toBe(0);
    expect(await ledger.scard(ledgerKey)).toBe(JOBS);
    expect((await ledger.smismember(ledgerKey, ...ids)).every((member) => member === 1)).toBe(true);
    const { stats, shards } = await queue.getOverview();
    expect(stats).toMatchObject({ completedJobs: JOBS, pendingJobs: 0, processingJobs: 0, failedJobs: 0, retryingJobs: 0 });
    // pushBulk deals the jobs out in turn: a third to each shard.
    expect(shards?.map((shard) => shard.stats.completedJobs).sort()).toEqual([3_333, 3_333, 3_334]);
  } finally {
    await Promise.all(workers.map((worker) => worker.stop()));
    await ledger.del(ledgerKey);
    ledger.disconnect();
    await second.close();
    await cleanup();
  }
}, 180_000);
