/**
 * `[queues.*]` settings reach the queues and workers the host builds (the first queue opens the
 * connection, the others share it: both paths are checked).
 */
import { afterEach, beforeEach, expect, test } from 'vitest';
import type { RedisQueue } from '../../src/index.js';
import { deletePrefix, rawClient, REDIS_URL, uniquePrefix, waitFor } from '../helpers.js';
import { startHost, stopHosts } from './host-helpers.js';

let prefix: string;
beforeEach(() => {
  prefix = uniquePrefix('host-queues');
});
afterEach(async () => {
  await stopHosts();
  await deletePrefix(prefix);
});

const config = () => `
[redis]
url = "${REDIS_URL}"
prefix = "${prefix}"
[queues.first]
concurrency = 2
pollTime = "200ms"
visibilityTimeout = "17s"
maxRetries = 5
retryDelays = ["45s"]
retention.completed = { count = 2 }
[queues.second]
pollTime = "200ms"
maxRetries = 2
retryDelays = ["1m"]
retention.failed = { count = 1 }
[handlers.sleep]
builtin = "sleep"
[metrics]
enabled = false
`;

/** How long after failing the job's retry is planned. */
async function plannedRetry(queue: RedisQueue, id: string): Promise<number> {
  const job = await waitFor('the retry planned', async () => {
    const found = await queue.getJob(id);
    return found?.status === 'retrying' ? found : null;
  });
  return job.runAt!.getTime() - job.enteredAt.getTime();
}

test('maxRetries and retryDelays of each queue reach its jobs', async () => {
  const host = await startHost(config());
  const [first, second] = host.queues as [RedisQueue, RedisQueue];
  const a = await first.push({ type: 'sleep', payload: { ms: 1, fail: true } });
  const b = await second.push({ type: 'sleep', payload: { ms: 1, fail: true } });
  expect(a.maxAttempts).toBe(5);
  expect(b.maxAttempts).toBe(2);
  expect(await plannedRetry(first, a.id)).toBe(45_000);
  expect(await plannedRetry(second, b.id)).toBe(60_000);
});

test('retention of each queue trims its finished jobs', async () => {
  const host = await startHost(config());
  const [first, second] = host.queues as [RedisQueue, RedisQueue];
  const done = await first.pushBulk(Array.from({ length: 5 }, () => ({ type: 'sleep', payload: { ms: 1 } })));
  const failed = await second.pushBulk(Array.from({ length: 3 }, () => ({ type: 'sleep', payload: { ms: 1, fail: true }, maxAttempts: 1 })));
  await waitFor('the first queue worked and trimmed', async () => {
    const stats = await first.getStats();
    return stats.pendingJobs + stats.processingJobs === 0 && stats.completedJobs === 2;
  });
  await waitFor('the second queue worked and trimmed', async () => {
    const stats = await second.getStats();
    return stats.pendingJobs + stats.processingJobs === 0 && stats.failedJobs === 1;
  });
  expect(done).toHaveLength(5);
  // One worker slot on the second queue: the first job failed first and went first.
  expect(await second.getJob(failed[0]!.id)).toBeNull();
});

test('visibilityTimeout is the lease the worker takes and renews', async () => {
  const host = await startHost(config());
  const [first] = host.queues as [RedisQueue];
  const job = await first.push({ type: 'sleep', payload: { ms: 20_000 } });
  await waitFor('running', async () => (await first.getJobStatus(job.id)) === 'processing');
  const raw = rawClient();
  try {
    // The lease deadline (ms, on the active set) is renewed to now + 17 s every 500 ms.
    for (let check = 0; check < 3; check++) {
      const deadline = Number(await raw.zscore(`${prefix}:{first}:active`, job.id));
      const left = deadline - Date.now();
      expect(left).toBeGreaterThan(14_000);
      expect(left).toBeLessThanOrEqual(17_500);
      await waitFor('a renewal', async () => Number(await raw.zscore(`${prefix}:{first}:active`, job.id)) > deadline, { timeoutMs: 5_000 });
    }
  } finally {
    raw.disconnect();
  }
});
