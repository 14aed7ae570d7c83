/**
 * A queue, worker or dispatcher a user prints or logs (console.log(queue), logger.info({ queue }))
 * shows what it is, never its connection, whose options hold the Redis password.
 */
import { inspect } from 'node:util';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { JobDispatcher, RedisQueue, RedisWorker } from '../../src/index.js';
import { freePort, startPrivateRedis, type PrivateRedis } from '../helpers.js';

const PASSWORD = 'Printed-Secret-4711';
let redis: PrivateRedis;

beforeAll(async () => {
  redis = await startPrivateRedis(await freePort(), ['--requirepass', PASSWORD]);
});
afterAll(() => redis.stop());

it('printing or serialising a queue, a worker or a dispatcher shows no password', async () => {
  const queue = await RedisQueue.connect('printed', { url: `redis://:${PASSWORD}@127.0.0.1:${redis.port}`, prefix: 'printed' });
  try {
    const worker = new RedisWorker(queue);
    const dispatcher = new JobDispatcher(queue);
    for (const handle of [queue, worker, dispatcher]) {
      expect(inspect(handle, { depth: 10 })).not.toContain(PASSWORD);
      expect(inspect({ nested: handle }, { depth: 10 })).not.toContain(PASSWORD);
      expect(JSON.stringify({ handle })).not.toContain(PASSWORD);
    }
    expect(JSON.parse(JSON.stringify(queue))).toEqual({ queue: 'printed', prefix: 'printed', shards: 1 });
    expect(inspect(worker)).toBe("RedisWorker { queue: 'printed', prefix: 'printed', running: false, activeJobs: 0 }");
  } finally {
    await queue.close();
  }
});
