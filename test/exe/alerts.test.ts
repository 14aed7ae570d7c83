/**
 * A headless host with `[alerts]`: a backlog on a paused queue fires the rule, the notice goes out
 * as a webhook job (Slack-style JSON) to a real HTTP server, and a resolved notice follows once the
 * backlog is gone.
 */
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { waitFor } from '../helpers.js';
import { startHttpServer, type TestHttpServer } from '../handlers/helpers.js';
import { FlexqProcess, redisEnv, useHeadlessHost } from './helpers.js';

const config = (hook: string) => `
shutdownTimeout = "1s"
alertInterval = "200ms"
[queues.mail]
pollTime = "100ms"
[queues.notices]
pollTime = "100ms"
[handlers.webhook]
builtin = "webhook"
[webhook]
allowAddresses = ["127.0.0.0/8"]
[metrics]
enabled = false
[alerts.mail-backlog]
queue = "mail"
backlog = 2
notify = { type = "webhook", url = "${hook}", queue = "notices" }
`;

describe('flexq --headless with [alerts]', () => {
  const t = useHeadlessHost('exe-alerts', '');
  let server: TestHttpServer;
  beforeEach(async () => {
    server = await startHttpServer((_req, res) => res.end('ok'));
  });
  afterEach(() => server.close());

  const texts = () => server.requests.map((request) => (JSON.parse(request.body.toString()) as { text: string }).text);

  it('posts a firing notice for a backlog, then a resolved one', async () => {
    await writeFile(join(t.dir, 'flexq.toml'), config(`${server.origin}/hook`));
    const mail = t.queue.queue('mail');
    await mail.pause();
    t.host = new FlexqProcess(['--headless'], { env: redisEnv(t.prefix), cwd: t.dir });
    await t.host.waitForLog(/^flexq running/);
    const jobs = await mail.pushBulk([{ type: 'webhook' }, { type: 'webhook' }, { type: 'webhook' }]);
    await waitFor('the firing notice', () => texts().length === 1, { timeoutMs: 15_000 });
    expect(texts()).toEqual(['flexq alert mail-backlog FIRING on queue mail: backlog 3 > 2']);
    expect(server.requests[0]!.headers['content-type']).toContain('application/json');
    await t.host.waitForLog(/^alert mail-backlog firing: backlog 3 > 2$/);

    for (const job of jobs) await mail.cancelJob(job.id);
    await waitFor('the resolved notice', () => texts().length === 2, { timeoutMs: 15_000 });
    expect(texts()[1]).toBe('flexq alert mail-backlog resolved on queue mail');
  }, 40_000);
});
