/**
 * Bulk operations whose reply is lost with the connection: ioredis sends the chunk again after the
 * reconnect, and the kept reply answers it, so the count is right and no second chunk is taken.
 * A proxy drops the reply of one chosen call; each test first checks that the drop happened.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { RedisQueue } from '../../src/index.js';
import { startFaultProxy, type FaultProxy } from '../fault-proxy.js';
import { deletePrefix, uniquePrefix } from '../helpers.js';

let proxy: FaultProxy;
let queue: RedisQueue;
let prefix: string;

beforeEach(async () => {
  proxy = await startFaultProxy({ host: '127.0.0.1', port: 6379 });
  prefix = uniquePrefix('ops-resend');
  queue = await RedisQueue.connect('q', { url: proxy.url, prefix });
});

afterEach(async () => {
  await queue.close();
  await proxy.close();
  await deletePrefix(prefix);
});

/** `n` cancelled jobs. */
async function cancelled(n: number): Promise<string[]> {
  const jobs = await queue.pushBulk(Array.from({ length: n }, () => ({ type: 't' })));
  for (const job of jobs) await queue.cancelJob(job.id);
  return jobs.map((job) => job.id);
}

describe('a bulk chunk whose reply is lost counts once', () => {
  it('retryJobs: the resent chunk answers with the first reply, and the total is right', async () => {
    await cancelled(5);
    proxy.dropReplyTo('_retryJobs');
    expect(await queue.retryJobs('cancelled', { chunkSize: 2 })).toBe(5);
    expect(proxy.drops).toBe(1);
    expect((await queue.getStats()).pendingJobs).toBe(5);
  });

  it('cancelJobs: the resent chunk cancels no second chunk, and the total is right', async () => {
    await queue.pushBulk(Array.from({ length: 5 }, () => ({ type: 't' })));
    proxy.dropReplyTo('_cancelJobs');
    expect(await queue.cancelJobs('pending', { chunkSize: 2 })).toBe(5);
    expect(proxy.drops).toBe(1);
    expect(await queue.getStats()).toMatchObject({ pendingJobs: 0, cancelledJobs: 5 });
  });

  it('clean: the total is right after a lost reply', async () => {
    await cancelled(5);
    proxy.dropReplyTo('_cleanJobs');
    expect(await queue.clean('cancelled', { chunkSize: 2, limit: 3 })).toBe(3);
    expect(proxy.drops).toBe(1);
    // A second chunk taken for the resend would have removed more than the limit.
    expect((await queue.getStats()).cancelledJobs).toBe(2);
  });

  it('removeJob resolves after a lost reply instead of saying the job is gone', async () => {
    const [id] = await cancelled(1);
    proxy.dropReplyTo('_removeJob');
    await queue.removeJob(id!);
    expect(proxy.drops).toBe(1);
    expect(await queue.getJob(id!)).toBeNull();
  });
});
