/**
 * `rateLimit` in flexq.toml as an operator meets it: the headless host applies it (and logs it),
 * `flexq stats` shows it, and the host's workers keep to it.
 */
import { describe, expect, it } from 'vitest';
import { waitFor } from '../helpers.js';
import { FlexqProcess, redisEnv, runFlexq, useHeadlessHost } from './helpers.js';

const CONFIG = `
[queues.default]
pollTime = "200ms"
concurrency = 4
rateLimit = { max = 2, per = "1m" }
[handlers.demo]
builtin = "sleep"
options = { ms = 1 }
[metrics]
port = 0
`;

describe('flexq --headless with a rate limit', () => {
  const t = useHeadlessHost('exe-rate', CONFIG);

  it('stores and logs the limit, starts no more jobs than it allows, and stats shows the queue held', async () => {
    t.host = new FlexqProcess(['--headless'], { env: redisEnv(t.prefix), cwd: t.dir });
    expect(await t.host.waitForLog(/^queue default: at most 2 jobs start per 1m/)).toMatchObject({ level: 30, rateLimit: { max: 2, per: 60_000 } });
    expect(await t.queue.getRateLimit()).toMatchObject({ max: 2, per: 60_000 });
    await t.queue.pushBulk(Array.from({ length: 5 }, () => ({ type: 'demo' })));
    await waitFor('two jobs done', async () => (await t.queue.getStats()).completedJobs === 2);
    const stats = await runFlexq(['stats'], { env: redisEnv(t.prefix), cwd: t.dir });
    expect(stats.code).toBe(0);
    expect(stats.stdout).toMatch(/^default +limited +3 .* 2\/1m$/m);
    const json = JSON.parse((await runFlexq(['stats', '--json'], { env: redisEnv(t.prefix), cwd: t.dir })).stdout) as Record<string, Record<string, unknown>>;
    expect(json['default']).toMatchObject({ pendingJobs: 3, completedJobs: 2, rateLimited: true, rateLimit: { max: 2, per: 60_000, started: 2 } });
  });
});
