import { afterEach, beforeEach, expect, it } from 'vitest';
import { RedisQueue } from '../../src/index.js';
import { deletePrefix, REDIS_URL, uniquePrefix, waitFor } from '../helpers.js';
import { FlexqProcess, redisEnv, tempFolder } from './helpers.js';

const CONFIG = `
[queues.default]
pollTime = "200ms"
[handlers.demo]
builtin = "sleep"
[metrics]
enabled = false
[logging]
level = "warn"
`;

let prefix: string;
let dir: string;
let remove: () => Promise<void>;
let queue: RedisQueue;
let host: FlexqProcess | undefined;

beforeEach(async () => {
  prefix = uniquePrefix('exe-logging');
  ({ dir, remove } = await tempFolder(CONFIG));
  queue = await RedisQueue.connect('default', { url: REDIS_URL, prefix });
});
afterEach(async () => {
  await host?.kill();
  host = undefined;
  await queue.close();
  await deletePrefix(prefix);
  await remove();
});

it('[logging] level = "warn": the running host writes warnings and nothing below', async () => {
  host = new FlexqProcess(['--headless'], { env: redisEnv(prefix), cwd: dir });
  const ok = await queue.push({ type: 'demo', payload: { ms: 1 } });
  const failing = await queue.push({ type: 'demo', payload: { ms: 1, fail: true }, maxAttempts: 1 });
  await waitFor('both jobs done', async () =>
    (await queue.getJobStatus(ok.id)) === 'completed' && (await queue.getJobStatus(failing.id)) === 'failed', { timeoutMs: 15_000 });
  await host.waitForLog(/^job failed/);
  host.signal('SIGTERM');
  expect(await host.exited).toBe(0);
  const lines = host.logLines();
  expect(lines.find((line) => line['jobId'] === failing.id)).toMatchObject({ level: 40, msg: 'job failed' });
  // No info line: not the start-up banner, not the completed job, not the shutdown.
  expect(lines.filter((line) => Number(line['level']) < 40)).toEqual([]);
  expect(lines.some((line) => line['jobId'] === ok.id)).toBe(false);
});
