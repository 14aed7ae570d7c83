/**
 * A 3-shard queue on a cluster of its own (3 primaries, no replicas, and
 * `cluster-require-full-coverage no`, so the other slots stay served): the primary of one shard is
 * SIGKILLed while jobs flow. Only that shard stalls; the other two keep completing jobs, and the
 * workers need no restart.
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
import { RedisQueue, RedisWorker } from '../../src/index.js';
import { uniquePrefix, waitFor } from '../helpers.js';
import { startCluster, type TestCluster } from './servers.js';

let cluster: TestCluster;
beforeAll(async () => {
  cluster = await startCluster(3, 0, ['--cluster-require-full-coverage', 'no']);
}, 60_000);
afterAll(() => cluster?.stop());

const shardOf = (id: string): number => Number(id.split('-')[0]);

it('stopping the primary of one shard stalls only that shard', async () => {
  const prefix = uniquePrefix('outage');
  const config = { cluster: { nodes: cluster.nodes }, prefix, shards: 3, connectTimeout: 10_000 };
  const queue = await RedisQueue.connect('outage', config);
  const worker = new RedisWorker(queue, { numWorkers: 8, pollTime: 200 });
  const completedBy: number[] = [0, 0, 0];
  worker.registerHandler('t', async (_ctx, job) => {
    await new Promise((resolve) => setTimeout(resolve, 20)); // some work, so the flow lasts
    completedBy[shardOf(job.id)]!++;
    return { success: true };
  });
  try {
    await queue.pushBulk(Array.from({ length: 3_000 }, (_, n) => ({ type: 't', payload: { n } })));
    const node = (await queue.getOverview()).shards![1]!.node!;
    const victim = cluster.servers.find((server) => node.endsWith(`:${server.port}`))!;
    const started = Date.now();
    void worker.start();
    await waitFor('jobs of every shard to complete', () => completedBy.every((count) => count >= 50), { timeoutMs: 20_000 });
    await victim.kill('SIGKILL');
    const killedAt = Date.now();
    const atKill = [...completedBy];
    // The two live shards drain; the dead one's jobs stay where they are.
    await waitFor('the live shards to drain', () => completedBy[0] === 1_000 && completedBy[2] === 1_000, { timeoutMs: 60_000, intervalMs: 100 });
    const liveRate = (done: number, ms: number) => Math.round((done * 1000) / ms);
    console.info(`shard outage: completed per shard at the kill ${JSON.stringify(atKill)}, once the live shards drained ${JSON.stringify(completedBy)}; `
      + `live shards' jobs/s before ${liveRate(atKill[0]! + atKill[2]!, killedAt - started)}, after ${liveRate(2_000 - atKill[0]! - atKill[2]!, Date.now() - killedAt)}`);
    expect(atKill[0]! + atKill[2]!).toBeLessThan(1_500);
    expect(completedBy[1]).toBeLessThan(1_000);
  } finally {
    // Stopping calls the dead shard too (hand-backs, outcomes): it waits for ioredis to give up.
    const stopping = Date.now();
    await worker.stop({ timeout: 1_000 });
    await queue.close();
    console.info(`shard outage: worker stopped and queue closed in ${Date.now() - stopping} ms`);
  }
}, 240_000);
