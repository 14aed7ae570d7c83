import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { waitFor } from '../helpers.js';
import { FlexqProcess, httpGet, redisEnv, runFlexq, useHeadlessHost } from './helpers.js';

const CONFIG = `
shutdownTimeout = "20s"
[queues.default]
concurrency = 2
pollTime = "200ms"
[handlers.demo]
builtin = "sleep"
options = { ms = 50 }
[metrics]
port = 0
`;

describe('flexq --headless', () => {
  const t = useHeadlessHost('exe-headless', CONFIG);

  function startHost(): FlexqProcess {
    t.host = new FlexqProcess(['--headless'], { env: redisEnv(t.prefix), cwd: t.dir });
    return t.host;
  }

  async function dispatch(...args: string[]): Promise<string> {
    // Dispatch warns until a live worker's heartbeat names the type; the first beat is under way.
    await waitFor('the worker heartbeat', async () => (await t.queue.getWorkers()).length > 0);
    const result = await runFlexq(['dispatch', ...args], { env: redisEnv(t.prefix), cwd: t.dir });
    expect(result.stderr).toBe('');
    return result.stdout.trim();
  }

  it('runs jobs dispatched by flexq dispatch, logs JSON, and answers /healthz and /metrics', async () => {
    const flexq = startHost();
    const { url } = await flexq.waitForLog(/^health and metrics at/);
    await flexq.waitForLog(/^flexq running/);
    const ok = await dispatch('demo', '{"ms":20}');
    const failing = await dispatch('demo', '{"ms":1,"fail":true}', '--max-attempts', '1');
    await waitFor('the job to complete', async () => (await t.queue.getJobStatus(ok)) === 'completed');
    await waitFor('the failing job to fail', async () => (await t.queue.getJobStatus(failing)) === 'failed');
    expect(await t.queue.getJob(ok)).toMatchObject({ result: { sleptMs: 20 } });
    expect(await t.queue.getJob(failing)).toMatchObject({ error: 'failed on purpose (payload.fail, attempt 1)' });
    // Logged once Redis has recorded the outcome, so a moment after the status may be read.
    expect(await flexq.waitForLog(/^job completed$/)).toMatchObject({ jobId: ok, queue: 'default', type: 'demo' });

    const health = await httpGet(`${String(url)}/healthz`);
    expect(health.status).toBe(200);
    expect(JSON.parse(health.body)).toMatchObject({ status: 'ok' });

    const metrics = await httpGet(`${String(url)}/metrics`);
    expect(metrics.status).toBe(200);
    expect(metrics.contentType).toContain('text/plain');
    expect(metrics.body).toContain('flexq_jobs_processed_total{queue="default",type="demo",outcome="completed"} 1');
    expect(metrics.body).toContain('flexq_jobs_processed_total{queue="default",type="demo",outcome="failed"} 1');
    expect(metrics.body).toMatch(/flexq_job_duration_seconds_count\{queue="default",type="demo",outcome="completed"\} 1/);
    expect(metrics.body).toContain('flexq_queue_jobs{queue="default",state="completed"} 1');
    expect(metrics.body).toContain('flexq_queue_jobs{queue="default",state="failed"} 1');
    expect(metrics.body).toContain('flexq_worker_concurrency{queue="default"} 2');

    flexq.signal('SIGINT');
    expect(await flexq.exited).toBe(0);
  });

  it('on SIGTERM lets the running job finish, then exits 0', async () => {
    const flexq = startHost();
    await flexq.waitForLog(/^flexq running/);
    const id = await dispatch('demo', '{"ms":1500}');
    await waitFor('the job to start', async () => (await t.queue.getJobStatus(id)) === 'processing');
    flexq.signal('SIGTERM');
    expect(await flexq.exited).toBe(0);
    expect(await t.queue.getJobStatus(id)).toBe('completed');
    const messages = flexq.logLines().map((line) => String(line['msg']));
    expect(messages).toContain('SIGTERM received: stopping gracefully (send it again to exit at once)');
    expect(messages.indexOf('workers stopped')).toBeGreaterThan(messages.findIndex((msg) => msg === 'job completed'));
  });

  it('hands a job still running at the shutdown timeout back to the queue and exits 0', async () => {
    await writeFile(join(t.dir, 'flexq.toml'), CONFIG.replace('shutdownTimeout = "20s"', 'shutdownTimeout = "200ms"'));
    const flexq = startHost();
    await flexq.waitForLog(/^flexq running/);
    const id = await dispatch('demo', '{"ms":60000}');
    await waitFor('the job to start', async () => (await t.queue.getJobStatus(id)) === 'processing');
    flexq.signal('SIGTERM');
    expect(await flexq.exited).toBe(0);
    expect(await t.queue.getJobStatus(id)).toBe('pending');
  });

  it('a second signal exits at once with code 1', async () => {
    const flexq = startHost();
    await flexq.waitForLog(/^flexq running/);
    const id = await dispatch('demo', '{"ms":60000}');
    await waitFor('the job to start', async () => (await t.queue.getJobStatus(id)) === 'processing');
    flexq.signal('SIGTERM');
    await flexq.waitForLog(/^stopping: waiting up to 20000 ms for 1 running job/);
    flexq.signal('SIGTERM');
    expect(await flexq.exited).toBe(1);
    expect(await t.queue.getJobStatus(id)).toBe('processing'); // its lease runs out and it runs again
  });
});
