/**
 * `durability: 'replicated'` on a private primary: a push resolves once a replica holds it, and
 * without a replica it rejects with NotReplicatedError after the wait, the job stored on the
 * primary all the same (the error says so). Sentinel failover itself is test/topology/failover.test.ts.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { NotReplicatedError, RedisQueue } from '../../src/index.js';
import { freePort, startPrivateRedis, waitFor, type PrivateRedis } from '../helpers.js';

describe("durability: 'replicated'", () => {
  let primary: PrivateRedis;
  beforeAll(async () => {
    primary = await startPrivateRedis(await freePort());
  });
  afterAll(async () => primary.stop());

  it('refuses a push no replica confirmed, naming the wait, though the primary stored it', async () => {
    const queue = await RedisQueue.connect('durable', { url: primary.url, prefix: 'alone', durability: 'replicated' });
    try {
      const err = await queue.push({ type: 't', payload: {} }).then(() => null, (e: unknown) => e);
      expect(err).toBeInstanceOf(NotReplicatedError);
      expect([(err as NotReplicatedError).code, (err as NotReplicatedError).operation, (err as Error).message]).toEqual([
        'NOT_REPLICATED', 'addJobs', 'stored on the Redis primary, but no replica confirmed it within 2000 ms: a failover now could lose it',
      ]);
      expect((await queue.getStats()).pendingJobs).toBe(1);
    } finally {
      await queue.close();
    }
  });

  it('resolves a push once a replica holds it', async () => {
    const replica = await startPrivateRedis(await freePort(), ['--replicaof', '127.0.0.1', String(primary.port)]);
    const queue = await RedisQueue.connect('durable', { url: primary.url, prefix: 'paired', durability: 'replicated' });
    try {
      // Pushes made before the replica's first sync are refused as unconfirmed; then they go through.
      const job = await waitFor('a push a replica confirmed', () => queue.push({ type: 't', payload: { n: 1 } }).catch(() => null), {
        timeoutMs: 20_000, intervalMs: 200,
      });
      expect(await queue.getJob(job.id)).toMatchObject({ status: 'pending', payload: { n: 1 } });
    } finally {
      await queue.close();
      await replica.stop();
    }
  });
});
