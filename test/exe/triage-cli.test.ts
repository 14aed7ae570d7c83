/**
 * Triage from anywhere: a headless host runs queue `mail`; from another folder with no flexq.toml,
 * `flexq … --redis URL` finds the queue in Redis and retries, cleans, drains and resumes it.
 */
import { describe, expect, it } from 'vitest';
import { RedisQueue } from '../../src/index.js';
import { REDIS_URL, waitFor } from '../helpers.js';
import { FlexqProcess, childEnv, redisEnv, runFlexq, tempFolder, useHeadlessHost } from './helpers.js';

const HOST_CONFIG = `
shutdownTimeout = "1s"
[queues.mail]
concurrency = 4
pollTime = "100ms"
[handlers.demo]
builtin = "sleep"
options = { ms = 20 }
[metrics]
enabled = false
`;

describe('flexq --redis URL, without a flexq.toml, against a separate host', () => {
  const t = useHeadlessHost('exe-triage', HOST_CONFIG);

  /** Runs flexq in an empty folder: only the URL and the prefix say where the queues are. */
  async function remote(...args: string[]) {
    const folder = await tempFolder();
    try {
      return await runFlexq([...args, '--redis', REDIS_URL], { env: childEnv({ FLEXQ_REDIS_PREFIX: t.prefix }), cwd: folder.dir });
    } finally {
      await folder.remove();
    }
  }

  async function startHost(): Promise<RedisQueue> {
    t.host = new FlexqProcess(['--headless'], { env: redisEnv(t.prefix), cwd: t.dir });
    await t.host.waitForLog(/^flexq running/);
    return t.queue.queue('mail');
  }

  it('finds the queue, retries every failed job, cleans, and stats show totals retention does not lower', async () => {
    const mail = await startHost();
    await mail.pushBulk(Array.from({ length: 3 }, () => ({ type: 'demo', payload: { fail: true }, maxAttempts: 1 })));
    await mail.push({ type: 'demo', payload: {} });
    await waitFor('3 failed, 1 completed', async () => {
      const stats = await mail.getStats();
      return stats.failedJobs === 3 && stats.completedJobs === 1;
    });

    const retried = await remote('retry', '--all', 'failed', '--type', 'demo');
    expect(retried).toMatchObject({ code: 0, stdout: '3 failed jobs of queue mail are pending again\n', stderr: '' });
    await waitFor('the retried jobs to fail again', async () => (await mail.getTotals()).failed === 6);

    const cleaned = await remote('clean', 'failed');
    expect(cleaned).toMatchObject({ code: 0, stdout: 'removed 3 failed jobs of queue mail\n' });
    expect((await mail.getStats()).failedJobs).toBe(0);

    const stats = await remote('stats', '--json');
    expect(stats.code).toBe(0);
    expect(JSON.parse(stats.stdout)).toEqual({ mail: expect.objectContaining({ failedJobs: 0, completedJobs: 1, totals: { completed: 1, failed: 6 } }) });

    const bad = await remote('clean', 'pending');
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/'pending' is invalid for argument 'status'. expected one of: completed, failed, cancelled/);
    const unknown = await remote('clean', 'failed', '--queue', 'nope');
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toMatch(/queue 'nope' is neither in the config nor used in Redis \(known: mail\)/);
  }, 60_000);

  it('drain pauses the queue everywhere and exits 1 naming what still runs; once it has finished, 0; resume undoes it', async () => {
    const mail = await startHost();
    const slow = await mail.push({ type: 'demo', payload: { ms: 5_000 } });
    await waitFor('the slow job to run', async () => (await mail.getJobStatus(slow.id)) === 'processing');

    const timedOut = await remote('drain', 'mail', '--timeout', '1s');
    expect(timedOut.code).toBe(1);
    expect(timedOut.stdout).toMatch(/draining mail: 1 running, 0 finished, ETA unknown/);
    // The wait ends a few ms past the timeout, and says the timeout's own figure.
    expect(timedOut.stdout).toContain('queue mail is paused, but 1 job(s) still run after 1s:');
    expect(timedOut.stdout).toContain(`${slow.id}  demo  running for`);
    const waiting = await mail.push({ type: 'demo', payload: {} });

    const drained = await remote('drain', 'mail', '--timeout', '20s');
    expect(drained).toMatchObject({ code: 0 });
    expect(drained.stdout).toMatch(/queue mail drained: no job running/);
    expect(await mail.getJobStatus(slow.id)).toBe('completed');
    // Paused: the job dispatched meanwhile waits.
    expect(await mail.getJobStatus(waiting.id)).toBe('pending');

    expect(await remote('resume', 'mail')).toMatchObject({ code: 0, stdout: 'resumed queue mail\n' });
    await waitFor('the waiting job to run after resume', async () => (await mail.getJobStatus(waiting.id)) === 'completed');
  }, 60_000);
});
