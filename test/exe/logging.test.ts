import { expect, it } from 'vitest';
import { waitFor } from '../helpers.js';
import { FlexqProcess, redisEnv, useHeadlessHost } from './helpers.js';

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

const t = useHeadlessHost('exe-logging', CONFIG);

it('[logging] level = "warn": the running host writes warnings and nothing below', async () => {
  t.host = new FlexqProcess(['--headless'], { env: redisEnv(t.prefix), cwd: t.dir });
  const ok = await t.queue.push({ type: 'demo', payload: { ms: 1 } });
  const failing = await t.queue.push({ type: 'demo', payload: { ms: 1, fail: true }, maxAttempts: 1 });
  await waitFor('both jobs done', async () =>
    (await t.queue.getJobStatus(ok.id)) === 'completed' && (await t.queue.getJobStatus(failing.id)) === 'failed', { timeoutMs: 15_000 });
  await t.host.waitForLog(/^job failed/);
  t.host.signal('SIGTERM');
  expect(await t.host.exited).toBe(0);
  const lines = t.host.logLines();
  expect(lines.find((line) => line['jobId'] === failing.id)).toMatchObject({ level: 40, msg: 'job failed' });
  // No info line: not the start-up banner, not the completed job, not the shutdown.
  expect(lines.filter((line) => Number(line['level']) < 40)).toEqual([]);
  expect(lines.some((line) => line['jobId'] === ok.id)).toBe(false);
});
