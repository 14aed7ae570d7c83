import { spawn, type ChildProcess } from 'node:child_process';
import { afterEach, describe, expect, it } from 'vitest';
import { RedisQueue } from '../../src/index.js';
import { redisAnswers } from '../../src/host/redis-probe.js';
import { uniquePrefix, waitFor } from '../helpers.js';
import { childEnv, FlexqProcess, freePort, httpGet, runFlexq, tempFolder } from './helpers.js';

const CONFIG = `
[queues.default]
pollTime = "200ms"
[handlers.demo]
builtin = "sleep"
options = { ms = 10 }
[metrics]
port = 0
`;

/** A private redis-server on a loopback port, without persistence; the test starts and stops it by pid. */
async function startRedis(port: number): Promise<ChildProcess> {
  const child = spawn('redis-server', ['--bind', '127.0.0.1', '--port', String(port), '--save', '', '--appendonly', 'no'], { stdio: 'ignore' });
  await waitFor(`redis-server on ${port}`, () => redisAnswers({ host: '127.0.0.1', port }), { timeoutMs: 10_000, intervalMs: 25 });
  return child;
}

async function stopRedis(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((resolve) => child.once('exit', resolve));
  child.kill('SIGTERM');
  await exited;
}

describe('Redis stopped and restarted under a running host', () => {
  let redis: ChildProcess | undefined;
  let host: FlexqProcess | undefined;
  let remove: (() => Promise<void>) | undefined;

  afterEach(async () => {
    await host?.kill();
    if (redis) await stopRedis(redis);
    await remove?.();
  });

  it('reports the outage once, answers 503 meanwhile, and runs jobs again once Redis is back', async () => {
    const port = await freePort();
    redis = await startRedis(port);
    const folder = await tempFolder(CONFIG);
    remove = folder.remove;
    const prefix = uniquePrefix('exe-restart');
    const env = childEnv({ FLEXQ_REDIS_URL: `redis://127.0.0.1:${port}`, FLEXQ_REDIS_PREFIX: prefix });
    const runsJob = async (): Promise<void> => {
      const dispatched = await runFlexq(['dispatch', 'demo'], { env, cwd: folder.dir });
      expect(dispatched.code).toBe(0);
      const queue = await RedisQueue.connect('default', { url: `redis://127.0.0.1:${port}`, prefix });
      try {
        await waitFor('the job to complete', async () => (await queue.getJobStatus(dispatched.stdout.trim())) === 'completed');
      } finally {
        await queue.close();
      }
    };

    host = new FlexqProcess(['--headless'], { env, cwd: folder.dir });
    const url = String((await host.waitForLog(/^health and metrics at/))['url']);
    await host.waitForLog(/^flexq running/);
    await runsJob();

    await stopRedis(redis);
    await host.waitForLog(/^Redis unreachable/);
    const down = await waitFor('/healthz to say 503', async () => {
      const health = await httpGet(`${url}/healthz`);
      return health.status === 503 ? health : undefined;
    });
    expect(JSON.parse(down.body)).toMatchObject({ status: 'unavailable' });
    expect(JSON.parse(down.body).reason).toContain(`Redis at 127.0.0.1:${port} does not answer`);

    redis = await startRedis(port);
    await host.waitForLog(/^Redis reachable again/, 20_000);
    await waitFor('/healthz to say 200', async () => (await httpGet(`${url}/healthz`)).status === 200, { timeoutMs: 15_000, intervalMs: 100 });
    await runsJob();

    const outageReports = host.logLines().filter((line) => String(line['msg']).startsWith('Redis unreachable'));
    expect(outageReports).toHaveLength(1);
    expect(host.stderr).toBe('');
    host.signal('SIGTERM');
    expect(await host.exited).toBe(0);
  }, 60_000);
});
