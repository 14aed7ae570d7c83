import { expect, it } from 'vitest';
import type { Job } from '../../src/index.js';
import { waitFor } from '../helpers.js';
import { FlexqProcess, redisEnv, runFlexq, useHeadlessHost } from './helpers.js';

// The demo's jobs on a host like the sample's, with short retry delays so the test is quick.
const CONFIG = `
[queues.default]
concurrency = 10
pollTime = "200ms"
retryDelays = ["100ms"]
[handlers.demo]
builtin = "sleep"
[metrics]
enabled = false
[logging]
level = "warn"
`;

const t = useHeadlessHost('exe-demo', CONFIG);

it('flexq demo: some jobs fail and retry (then succeed), some fail for good, the rest complete', async () => {
  const demo = await runFlexq(['demo', '--count', '20', '--interval', '10ms'], { env: redisEnv(t.prefix), cwd: t.dir });
  expect(demo.code).toBe(0);
  expect(demo.stdout).toContain('fails on purpose');
  t.host = new FlexqProcess(['--headless'], { env: redisEnv(t.prefix), cwd: t.dir });
  await waitFor('every demo job finished', async () => {
    const stats = await t.queue.getStats();
    return stats.completedJobs + stats.failedJobs === 20;
  }, { timeoutMs: 60_000, intervalMs: 200 });
  const completed = await t.queue.listJobs('completed', { limit: 100 });
  const failed = await t.queue.listJobs('failed', { limit: 100 });
  const retried = (jobs: Job[]) => jobs.filter((job) => job.attempts > 1);
  // Retried, then done: history shows the failed attempt.
  expect(retried(completed).length).toBeGreaterThanOrEqual(1);
  for (const job of retried(completed)) expect(job.history?.[0]).toMatchObject({ attempt: 1, outcome: 'retrying' });
  // Failed for good after every attempt.
  expect(failed.length).toBeGreaterThanOrEqual(1);
  for (const job of failed) expect(job).toMatchObject({ attempts: job.maxAttempts, status: 'failed' });
  expect(failed[0]!.maxAttempts).toBeGreaterThan(1);
  // Most demo jobs just work.
  expect(completed.filter((job) => job.attempts === 1).length).toBeGreaterThan(10);
});
