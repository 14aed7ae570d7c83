/**
 * The headless host as an operator meets it: a host without handlers takes no work, dispatch
 * warns about a job type nobody handles, SIGHUP stops gracefully, and pause, resume and cancel
 * from another process show in the host's log.
 */
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { waitFor } from '../helpers.js';
import { FlexqProcess, redisEnv, runFlexq, useHeadlessHost } from './helpers.js';

const WITH_HANDLER = `
[queues.default]
pollTime = "200ms"
[handlers.demo]
builtin = "sleep"
options = { ms = 10 }
[metrics]
port = 0
`;

describe('flexq --headless: handlers, signals and queue events', () => {
  const t = useHeadlessHost('exe-events', WITH_HANDLER);

  const flexq = (...args: string[]) => runFlexq(args, { env: redisEnv(t.prefix), cwd: t.dir });

  async function startHost(config?: string): Promise<FlexqProcess> {
    if (config !== undefined) await writeFile(join(t.dir, 'flexq.toml'), config);
    t.host = new FlexqProcess(['--headless'], { env: redisEnv(t.prefix), cwd: t.dir });
    await t.host.waitForLog(/^flexq running/);
    return t.host;
  }

  it('with no handlers configured, starts no worker, warns naming the queue, and leaves jobs pending', async () => {
    const flexqHost = await startHost('[metrics]\nport = 0\n');
    const warning = flexqHost.logLines().find((line) => line['level'] === 40 && line['queue'] === 'default');
    expect(String(warning?.['msg'])).toMatch(/^queue default: no worker started, because \[handlers\] configures no job type/);
    const dispatched = await flexq('dispatch', 'demo');
    expect(dispatched.code).toBe(0);
    expect(dispatched.stderr).toBe("flexq: warning: no live worker serves queue 'default'; the job waits until a host with a handler for 'demo' runs\n");
    const id = dispatched.stdout.trim();
    // Long enough for an idle worker to have claimed it several times over (pollTime is 1 s here).
    await new Promise((resolve) => setTimeout(resolve, 1_500));
    expect(await t.queue.getJob(id)).toMatchObject({ status: 'pending', attempts: 0 });
    expect(await t.queue.getWorkers()).toEqual([]);
  });

  it('dispatch warns when the live workers lack a handler for the type, and is quiet when one has it', async () => {
    await startHost();
    await waitFor('the worker heartbeat', async () => (await t.queue.getWorkers()).length === 1);
    const typo = await flexq('dispatch', 'deom');
    expect(typo.code).toBe(0);
    expect(typo.stderr).toBe("flexq: warning: no live worker of queue 'default' has a handler for job type 'deom' (they handle: demo); "
      + 'the first to claim it fails it for good ("no handler registered"), unless a worker with that handler is live by then\n');
    // What the warning says happens, happens.
    const failed = await waitFor('the job failed', async () => {
      const job = await t.queue.getJob(typo.stdout.trim());
      return job?.status === 'failed' ? job : null;
    });
    expect(failed).toMatchObject({ attempts: 1, error: 'no handler registered for job type "deom"' });
    expect(await flexq('dispatch', 'demo')).toMatchObject({ code: 0, stderr: '' });
  });

  it('SIGHUP stops gracefully like SIGTERM: exit 0 and the heartbeat is gone', async () => {
    const flexqHost = await startHost();
    await waitFor('the worker heartbeat', async () => (await t.queue.getWorkers()).length === 1);
    flexqHost.signal('SIGHUP');
    expect(await flexqHost.exited).toBe(0);
    expect(flexqHost.logLines().map((line) => line['msg'])).toContain('SIGHUP received: stopping gracefully (send it again to exit at once)');
    expect(await t.queue.getWorkers()).toEqual([]);
  });

  it('logs a line for a pause, a resume and a cancel made by another process', async () => {
    const flexqHost = await startHost();
    expect((await flexq('pause', 'default')).code).toBe(0);
    expect(await flexqHost.waitForLog(/^queue default paused/)).toMatchObject({ level: 30, queue: 'default' });
    const id = (await flexq('dispatch', 'demo', '--delay', '1h')).stdout.trim();
    expect((await flexq('cancel', id)).code).toBe(0);
    expect(await flexqHost.waitForLog(new RegExp(`^job ${id} cancelled`))).toMatchObject({ level: 30, queue: 'default', jobId: id });
    expect((await flexq('resume', 'default')).code).toBe(0);
    expect(await flexqHost.waitForLog(/^queue default resumed/)).toMatchObject({ level: 30, queue: 'default' });
  });
});
