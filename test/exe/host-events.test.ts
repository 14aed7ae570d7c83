/**
 * The headless host as an operator meets it: a host without handlers takes no work, dispatch
 * warns about a job type nobody handles, SIGHUP stops gracefully, and pause, resume and cancel
 * from another process show in the host's log.
 */
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { RedisQueue } from '../../src/index.js';
import { deletePrefix, REDIS_URL, uniquePrefix, waitFor } from '../helpers.js';
import { FlexqProcess, redisEnv, runFlexq, tempFolder } from './helpers.js';

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
  let prefix: string;
  let dir: string;
  let remove: () => Promise<void>;
  let queue: RedisQueue;
  let host: FlexqProcess | undefined;

  beforeEach(async () => {
    prefix = uniquePrefix('exe-events');
    ({ dir, remove } = await tempFolder(WITH_HANDLER));
    queue = await RedisQueue.connect('default', { url: REDIS_URL, prefix });
  });
  afterEach(async () => {
    await host?.kill();
    host = undefined;
    await queue.close();
    await deletePrefix(prefix);
    await remove();
  });

  const flexq = (...args: string[]) => runFlexq(args, { env: redisEnv(prefix), cwd: dir });

  async function startHost(config?: string): Promise<FlexqProcess> {
    if (config !== undefined) await writeFile(join(dir, 'flexq.toml'), config);
    host = new FlexqProcess(['--headless'], { env: redisEnv(prefix), cwd: dir });
    await host.waitForLog(/^flexq running/);
    return host;
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
    expect(await queue.getJob(id)).toMatchObject({ status: 'pending', attempts: 0 });
    expect(await queue.getWorkers()).toEqual([]);
  });

  it('dispatch warns when the live workers lack a handler for the type, and is quiet when one has it', async () => {
    await startHost();
    await waitFor('the worker heartbeat', async () => (await queue.getWorkers()).length === 1);
    const typo = await flexq('dispatch', 'deom');
    expect(typo.code).toBe(0);
    expect(typo.stderr).toBe("flexq: warning: no live worker of queue 'default' has a handler for job type 'deom' (they handle: demo); the job waits until one does\n");
    expect(await flexq('dispatch', 'demo')).toMatchObject({ code: 0, stderr: '' });
  });

  it('SIGHUP stops gracefully like SIGTERM: exit 0 and the heartbeat is gone', async () => {
    const flexqHost = await startHost();
    await waitFor('the worker heartbeat', async () => (await queue.getWorkers()).length === 1);
    flexqHost.signal('SIGHUP');
    expect(await flexqHost.exited).toBe(0);
    expect(flexqHost.logLines().map((line) => line['msg'])).toContain('SIGHUP received: stopping gracefully (send it again to exit at once)');
    expect(await queue.getWorkers()).toEqual([]);
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
