/**
 * Failover under load, on a Redis Cluster (the primary of the queue's slot SIGKILLed) and behind
 * Sentinel (the primary SIGKILLed). Jobs flow from a producer through a worker the whole time, with
 * `durability: 'replicated'`; processing must resume within 10 s with no restart, and every job
 * whose push resolved must complete.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { RedisQueue, RedisWorker, type RedisQueueConfig } from '../../src/index.js';
import { uniquePrefix, waitFor } from '../helpers.js';
import { startCluster, startSentinel, type TestCluster, type TestSentinel } from './servers.js';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

interface FailoverFigures {
  acknowledged: number;
  lost: number;
  /** The longest stretch without a completion, around the kill. */
  gapMs: number;
}

/** Pushes `jobs` at `rate`/s through a worker, calls `kill` a third of the way, and measures. */
async function flowThroughFailover(config: RedisQueueConfig, jobs: number, rate: number, kill: () => Promise<void>): Promise<FailoverFigures> {
  const queue = await RedisQueue.connect('flow', { prefix: uniquePrefix('failover'), ...config, durability: 'replicated', connectTimeout: 10_000 });
  const worker = new RedisWorker(queue, { numWorkers: 8, pollTime: 200, visibilityTimeout: 5_000 });
  const completions: number[] = [];
  const completed = new Set<string>();
  worker.registerHandler('t', (_ctx, job) => {
    completions.push(Date.now());
    completed.add(job.id);
    return { success: true };
  });
  void worker.start();
  const acknowledged: string[] = [];
  let killed = false;
  for (let i = 0; i < jobs; i++) {
    const started = Date.now();
    try {
      acknowledged.push((await queue.push({ type: 't', payload: { i } })).id);
    } catch {
      // Refused or unconfirmed while the primary is away: not acknowledged, not owed.
    }
    if (!killed && i === Math.floor(jobs / 3)) {
      killed = true;
      await kill();
    }
    await sleep(Math.max(0, 1000 / rate - (Date.now() - started)));
  }
  await waitFor('every acknowledged job to complete', () => acknowledged.every((id) => completed.has(id)), { timeoutMs: 60_000, intervalMs: 100 });
  await worker.stop({ timeout: 2_000 });
  await queue.close();
  let gapMs = 0;
  for (let i = 1; i < completions.length; i++) gapMs = Math.max(gapMs, completions[i]! - completions[i - 1]!);
  return { acknowledged: acknowledged.length, lost: acknowledged.filter((id) => !completed.has(id)).length, gapMs };
}

describe('failover under load', () => {
  let cluster: TestCluster | undefined;
  let sentinel: TestSentinel | undefined;
  afterEach(async () => {
    await cluster?.stop();
    await sentinel?.stop();
    cluster = sentinel = undefined;
  });

  it('on a cluster: the primary of the queue slot dies, a replica takes over, the flow resumes within 10 s', async () => {
    cluster = await startCluster(3, 1);
    const prefix = uniquePrefix('failover');
    const slotKey = `${prefix}:{flow}:jobs`;
    const victim = await cluster.primaryOf(slotKey);
    // The dead node comes back 3 s after a replica took its slot over, and rejoins as a replica:
    // until then the promoted one has none, and replicated pushes are refused as unconfirmed (not
    // acknowledged, so not owed). Back before the takeover (a slow election on a busy machine), a
    // node that keeps nothing on disk would be the slot's primary again, and empty.
    const tookOver = async () => {
      await waitFor('a replica to take the slot over', async () => (await cluster!.primaryOf(slotKey, victim).catch(() => victim)) !== victim, { timeoutMs: 60_000, intervalMs: 100 });
      await sleep(3_000);
    };
    const figures = await flowThroughFailover({ cluster: { nodes: cluster.nodes }, prefix }, 3_000, 500, async () => {
      await victim.kill('SIGKILL');
      void tookOver().catch(() => undefined).then(() => victim.restart());
    });
    console.info(`cluster failover: ${JSON.stringify(figures)}`);
    expect(figures.lost).toBe(0);
    expect(figures.gapMs).toBeLessThan(10_000);
  }, 120_000);

  it('behind Sentinel: the primary dies, the replica is promoted, workers and producers follow within 10 s', async () => {
    sentinel = await startSentinel();
    const figures = await flowThroughFailover({ sentinel: { name: sentinel.name, nodes: sentinel.sentinels } }, 3_000, 500, () => sentinel!.primary.kill('SIGKILL'));
    console.info(`sentinel failover: ${JSON.stringify(figures)}`);
    expect(figures.lost).toBe(0);
    expect(figures.gapMs).toBeLessThan(10_000);
  }, 120_000);
});
