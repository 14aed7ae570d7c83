/**
 * A unique push whose reply is lost with its connection: ioredis sends it again, and the resend
 * must resolve to the job the first call stored, storing nothing more. The proxy drops the reply
 * of one chosen call; each test first checks that the drop happened.
 */
import { afterEach, beforeEach, expect, it } from 'vitest';
import { RedisQueue } from '../../src/index.js';
import { startFaultProxy, type FaultProxy } from '../fault-proxy.js';
import { deletePrefix, rawClient, uniquePrefix } from '../helpers.js';

let proxy: FaultProxy;
let queue: RedisQueue;
let prefix: string;
const raw = rawClient();

beforeEach(async () => {
  proxy = await startFaultProxy({ host: '127.0.0.1', port: 6379 });
  prefix = uniquePrefix('unique-resend');
  queue = await RedisQueue.connect('q', { url: proxy.url, prefix });
});

afterEach(async () => {
  await queue.close();
  await proxy.close();
  await deletePrefix(prefix);
});

const storedJobs = () => raw.hlen(`${prefix}:{q}:jobs`);

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
