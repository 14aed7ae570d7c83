/** What `flexq jobs`, `show` and `stats` print: delayed jobs as such, the sort time, failed attempts, a paused queue. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RedisQueue, RedisWorker, type Job } from '../../src/index.js';
import { deletePrefix, REDIS_URL, uniquePrefix, waitFor } from '../helpers.js';
import { redisEnv, runFlexq, tempFolder } from './helpers.js';

describe('flexq jobs, show and stats output', () => {
  const prefix = uniquePrefix('exe-listing');
  let dir: string;
  let remove: () => Promise<void>;
  let queue: RedisQueue;
  let delayed: Job;
  let ready: Job;
  const flexq = (...args: string[]) => runFlexq(args, { env: redisEnv(prefix), cwd: dir });

  beforeAll(async () => {
    ({ dir, remove } = await tempFolder('[queues.default]\n'));
    queue = await RedisQueue.connect('default', { url: REDIS_URL, prefix, retryDelays: [1] });
    delayed = await queue.pushDelayed({ type: 'later', payload: {} }, 3_600_000);
    ready = await queue.push({ type: 'now', payload: {} });
  });
  afterAll(async () => {
    await queue.close();
    await deletePrefix(prefix);
    await remove();
  });

  it('jobs delayed shows STATUS delayed and the due time; jobs pending lists only ready jobs, as stats counts them', async () => {
    const table = await flexq('jobs', 'delayed');
    expect(table.code).toBe(0);
    const [header, row] = table.stdout.split('\n');
    expect(header).toMatch(/^ID\s+QUEUE\s+TYPE\s+STATUS\s+PRIORITY\s+ATTEMPTS\s+DUE\s+ERROR$/);
    expect(row).toMatch(new RegExp(`^${delayed.id}\\s+default\\s+later\\s+delayed\\s+0\\s+0/3\\s+${delayed.runAt!.toISOString().slice(0, 19).replace('T', ' ')}$`));
    const pending = JSON.parse((await flexq('jobs', 'pending', '--json')).stdout) as Job[];
    expect(pending.map((job) => job.id)).toEqual([ready.id]);
    const stats = JSON.parse((await flexq('stats', '--json')).stdout) as Record<string, { pendingJobs: number; delayedJobs: number }>;
    expect(stats['default']).toMatchObject({ pendingJobs: 1, delayedJobs: 1 });
  });

  it('jobs of every status shows each job once, delayed as delayed, with the time it is sorted by', async () => {
    const result = await flexq('jobs');
    const lines = result.stdout.trim().split('\n');
    expect(lines[0]).toMatch(/\bSINCE\b/);
    expect(lines[0]).not.toMatch(/CREATED/);
    expect(lines.filter((line) => line.startsWith(delayed.id))).toEqual([expect.stringMatching(/\sdelayed\s/)]);
    expect(lines.filter((line) => line.startsWith(ready.id))).toEqual([expect.stringMatching(/\spending\s/)]);
  });

  it('retry of a delayed job says it is delayed, as show does; --json keeps the Job contract: pending with a future runAt', async () => {
    const retried = await flexq('retry', delayed.id);
    expect(retried.code).toBe(1);
    expect(retried.stderr).toBe(`flexq: cannot retry job ${delayed.id}: it is delayed; only failed or cancelled jobs can be retried\n`);
    expect((await flexq('show', delayed.id)).stdout).toMatch(/^status\s+delayed$/m);
    const shown = JSON.parse((await flexq('show', delayed.id, '--json')).stdout) as Record<string, unknown>;
    expect(shown).toMatchObject({ status: 'pending', runAt: delayed.runAt!.toISOString() });
  });

  it('show lists the failed attempts that --json has', async () => {
    const job = await queue.push({ type: 'flaky', payload: {}, maxAttempts: 2 });
    const worker = new RedisWorker(queue, { pollTime: 50 });
    worker.registerHandler('flaky', (_ctx, attempt) => ({ success: false, error: `boom on attempt ${attempt.attempts}` }));
    void worker.start();
    try {
      await waitFor('the job to fail for good', async () => (await queue.getJobStatus(job.id)) === 'failed');
    } finally {
      await worker.stop();
    }
    const json = JSON.parse((await flexq('show', job.id, '--json')).stdout) as Job;
    expect(json.history).toHaveLength(2);
    const text = (await flexq('show', job.id)).stdout;
    expect(text).toMatch(/failed attempts {2}#1 {2}\d{4}-\d\d-\d\d \d\d:\d\d:\d\d {2}retrying {2}boom on attempt 1\n/);
    expect(text).toMatch(/ {17}#2 {2}\d{4}-\d\d-\d\d \d\d:\d\d:\d\d {2}failed {4}boom on attempt 2\n/);
  });

  it('stats shows that a queue is paused', async () => {
    await queue.pause();
    try {
      expect((await flexq('stats')).stdout).toMatch(/\ndefault\s+paused\s+/);
      expect(JSON.parse((await flexq('stats', '--json')).stdout)).toMatchObject({ default: { paused: true } });
    } finally {
      await queue.resume();
    }
    expect((await flexq('stats')).stdout).toMatch(/\ndefault\s+running\s+/);
  });
});
