/**
 * A headless flexq process with `[alerts]`: a backlog on a paused queue fires the rule, the notice
 * goes out through flexq's own `flexq-alerts` queue as Slack-style JSON to a real HTTP server (its
 * url from an environment variable), the JSON log says so, and a resolved notice follows once the
 * backlog is gone.
 */
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { waitFor } from '../helpers.js';
import { startHttpServer, type TestHttpServer } from '../handlers/helpers.js';
import { FlexqProcess, redisEnv, useHeadlessHost } from './helpers.js';

const config = `
shutdownTimeout = "1s"
alertInterval = "200ms"
[queues.mail]
pollTime = "100ms"
[handlers.webhook]
builtin = "webhook"
[webhook]
allowAddresses = ["127.0.0.0/8"]
[metrics]
enabled = false
[alerts.mail-backlog]
queue = "mail"
backlogAbove = 2
webhookEnv = "ALERT_HOOK"
`;

describe('flexq --headless with [alerts]', () => {
  const t = useHeadlessHost('exe-alerts', '');
  let server: TestHttpServer;
  beforeEach(async () => {
    server = await startHttpServer((_req, res) => res.end('ok'));
  });
  afterEach(() => server.close());

  const texts = () => server.requests.map((request) => (JSON.parse(request.body.toString()) as { text: string }).text);

  it('posts a firing notice for a backlog and logs it, then a resolved one', async () => {
    await writeFile(join(t.dir, 'flexq.toml'), config);
    const mail = t.queue.queue('mail');
    await mail.pause();
    t.host = new FlexqProcess(['--headless'], { env: { ...redisEnv(t.prefix), ALERT_HOOK: `${server.origin}/hook` }, cwd: t.dir });
    await t.host.waitForLog(/^flexq running/);
    const jobs = await mail.pushBulk([{ type: 'webhook' }, { type: 'webhook' }, { type: 'webhook' }]);
    await waitFor('the firing notice', () => texts().length === 1, { timeoutMs: 15_000 });
    expect(texts()).toEqual(['[flexq] FIRING mail-backlog on queue mail: 3 jobs waiting (alert above 2)']);
    expect(server.requests[0]!.headers['content-type']).toContain('application/json');
    expect(server.requests[0]!.url).toBe('/hook');
    const fired = await t.host.waitForLog(/^alert mail-backlog firing on queue mail: 3 jobs waiting \(alert above 2\)$/);
    expect(fired).toMatchObject({ alert: 'mail-backlog', queue: 'mail', condition: 'backlogAbove', value: 3, notified: true });

    for (const job of jobs) await mail.cancelJob(job.id);
    await waitFor('the resolved notice', () => texts().length === 2, { timeoutMs: 15_000 });
    expect(texts()[1]).toMatch(/^\[flexq\] RESOLVED mail-backlog on queue mail after \d+s: 0 jobs waiting \(alert above 2\)$/);
    const resolved = await t.host.waitForLog(/^alert mail-backlog resolved on queue mail: 0 jobs waiting \(alert above 2\)$/);
    expect(resolved).toMatchObject({ alert: 'mail-backlog', queue: 'mail', value: 0, notified: true });
  }, 40_000);
});
