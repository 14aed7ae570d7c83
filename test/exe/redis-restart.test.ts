import { afterEach, describe, expect, it } from 'vitest';
import { RedisQueue } from '../../src/index.js';
import { startPrivateRedis, uniquePrefix, waitFor, type PrivateRedis } from '../helpers.js';
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

describe('Redis stopped and restarted under a running host', () => {
  let redis: PrivateRedis | undefined;
  let host: FlexqProcess | undefined;
  let remove: (() => Promise<void>) | undefined;

  afterEach(async () => {
    await host?.kill();
    await redis?.stop();
    await remove?.();
  });

  it('reports the outage once, answers 503 meanwhile, and runs jobs again once Redis is back', async () => {
    const port = await freePort();
    redis = await startPrivateRedis(port);
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

    await redis.stop();
    await host.waitForLog(/^Redis unreachable/);
    const down = await waitFor('/healthz to say 503', async () => {
      const health = await httpGet(`${url}/healthz`);
      return health.status === 503 ? health : undefined;
    });
    expect(JSON.parse(down.body)).toMatchObject({ status: 'unavailable' });
    expect(JSON.parse(down.body).reason).toMatch(new RegExp(`^Redis at 127\\.0\\.0\\.1:${port} does not answer: (?!Redis is not answering)`));

    redis = await startPrivateRedis(port);
    await host.waitForLog(/^Redis reachable again/, 20_000);
    await waitFor('/healthz to say 200', async () => (await httpGet(`${url}/healthz`)).status === 200, { timeoutMs: 15_000, intervalMs: 100 });
    await runsJob();

    const outageReports = host.logLines().filter((line) => String(line['msg']).startsWith('Redis unreachable'));
    expect(outageReports).toHaveLength(1);
    // The reason in words, not ioredis's stack or its advice about an option flexq sets itself.
    expect(outageReports[0]!['reason']).toMatch(/connection|ECONNREFUSED/);
    expect(outageReports[0]).not.toHaveProperty('err');
    expect(host.stderr).toBe('');
    host.signal('SIGTERM');
    expect(await host.exited).toBe(0);
  }, 60_000);
});
