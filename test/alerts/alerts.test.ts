/**
 * [alerts] end to end: real hosts (two at once where it matters) on the test Redis, notices
 * delivered to a real local HTTP server and a real local SMTP server.
 */
import type { AddressInfo } from 'node:net';
import { pino } from 'pino';
import { SMTPServer } from 'smtp-server';
import { afterEach, beforeEach, describe, expect, test } from 'vitest';
import { RedisQueue, RedisWorker } from '../../src/index.js';
import type { WorkerHost } from '../../src/host/worker-host.js';
import { ALERTS_QUEUE } from '../../src/alerts/delivery.js';
import { deletePrefix, REDIS_URL, uniquePrefix, waitFor } from '../helpers.js';
import { startHttpServer, type TestHttpServer } from '../handlers/helpers.js';
import { startHost, stopHosts } from '../host/host-helpers.js';

let prefix: string;
let hook: TestHttpServer;
const closers: (() => Promise<void>)[] = [];
beforeEach(async () => {
  prefix = uniquePrefix('alerts');
  hook = await startHttpServer((_req, res) => res.end('ok'));
});
afterEach(async () => {
  await stopHosts();
  await Promise.all(closers.splice(0).map((close) => close()));
  await hook.close();
  await deletePrefix(prefix);
});

/** A host config on the test Redis: queue `work`, no /metrics port, alerts checked every 100 ms. */
const toml = (more: string) => `
alertInterval = "100ms"
[redis]
url = "${REDIS_URL}"
prefix = "${prefix}"
[queues.work]
pollTime = "100ms"
[metrics]
enabled = false
[webhook]
blockPrivateAddresses = false
${more}`;

/** The text of each webhook notice received, in order. */
const texts = () => hook.requests.map((request) => (JSON.parse(request.body.toString()) as { text: string }).text);

/** Log lines of a host, as pino writes them. */
function logSink() {
  const lines: Record<string, unknown>[] = [];
  const logger = pino({ level: 'info' }, { write: (line: string) => void lines.push(JSON.parse(line) as Record<string, unknown>) });
  return { lines, logger };
}

/** Waits until no notice is waiting or being delivered. */
async function noticesSettled(host: WorkerHost) {
  const alerts = host.queues[0]!.queue(ALERTS_QUEUE);
  try {
    await waitFor('notices delivered', async () => {
      const stats = await alerts.getStats();
      return stats.pendingJobs + stats.processingJobs + stats.retryingJobs === 0;
    });
  } finally {
    await alerts.close();
  }
}

describe('a backlog rule', () => {
  test('fires once across two hosts within its cool-down, then resolves once with a notice', async () => {
    const config = toml(`
[alerts.backlog]
queue = "work"
backlogAbove = 2
coolDown = "1h"
webhook = "${hook.origin}/hook"
`);
    // [handlers] is empty, so neither host runs a worker for `work`: its jobs stay waiting.
    const logs = logSink();
    const [a, b] = [await startHost(config, { logger: logs.logger }), await startHost(config)];
    const work = a.queues[0]!;
    const jobs = await work.pushBulk([{ type: 't' }, { type: 't' }, { type: 't' }]);
    await waitFor('a firing notice', () => hook.requests.length >= 1);
    expect(texts()[0]).toBe('[flexq] FIRING backlog on queue work: 3 jobs waiting (alert above 2)');
    expect(hook.requests[0]!.headers['content-type']).toMatch(/^application\/json/);
    // Both hosts check again with a fourth job waiting (both show it), still within the cool-down.
    await work.push({ type: 't' });
    const showsFour = (host: WorkerHost) => host.firingAlerts().some((alert) => alert.detail.startsWith('4 jobs waiting'));
    await waitFor('both hosts seeing 4 jobs', () => showsFour(a) && showsFour(b));
    await noticesSettled(a);
    expect(texts()).toHaveLength(1);
    expect(a.firingAlerts()).toEqual([expect.objectContaining({ rule: 'backlog', queue: 'work', detail: '4 jobs waiting (alert above 2)' })]);
    expect(logs.lines).toContainEqual(expect.objectContaining({
      level: 40, alert: 'backlog', queue: 'work', condition: 'backlogAbove', value: 3, msg: 'alert backlog firing on queue work: 3 jobs waiting (alert above 2)',
    }));

    for (const job of [...jobs, ...(await work.listJobs('pending'))]) await work.cancelJob(job.id).catch(() => {});
    // The cancels go one by one, so the check that resolves it may see 2, 1 or 0 jobs still waiting.
    await waitFor('a resolved notice', () => hook.requests.length >= 2);
    expect(texts()[1]).toMatch(/^\[flexq\] RESOLVED backlog on queue work after \d+s: [0-2] jobs waiting \(alert above 2\)$/);
    await waitFor('both hosts clear', () => a.firingAlerts().length === 0 && b.firingAlerts().length === 0);
    await noticesSettled(a);
    expect(texts()).toHaveLength(2);
    const resolved = logs.lines.filter((line) => line.level === 30 && line.alert === 'backlog' && line.queue === 'work');
    expect(resolved).toHaveLength(1);
    expect(resolved[0]!.value).toBeLessThanOrEqual(2);
    expect(resolved[0]!.msg).toBe(`alert backlog resolved on queue work: ${resolved[0]!.value} jobs waiting (alert above 2)`);
  });
});

describe('a failure-rate rule', () => {
  test('emails through [smtp] when failures reach the rate over its window, and again when successes bring it down', async () => {
    const mails: { to: string[]; raw: string }[] = [];
    const smtp = new SMTPServer({
      disabledCommands: ['STARTTLS', 'AUTH'], logger: false, closeTimeout: 100,
      onData: (stream, session, callback) => {
        const chunks: Buffer[] = [];
        stream.on('data', (chunk: Buffer) => chunks.push(chunk));
        stream.on('end', () => {
          // Quoted-printable soft line breaks unfolded, so the text reads as sent.
          mails.push({ to: session.envelope.rcptTo.map((r) => r.address), raw: Buffer.concat(chunks).toString().replace(/=\r\n/g, '') });
          callback();
        });
      },
    });
    await new Promise<void>((resolve) => smtp.listen(0, '127.0.0.1', resolve));
    closers.push(() => new Promise<void>((resolve) => smtp.close(() => resolve())));
    const host = await startHost(toml(`
[handlers.ok]
builtin = "sleep"
options = { ms = 1 }
[smtp]
host = "127.0.0.1"
port = ${(smtp.server.address() as AddressInfo).port}
from = "flexq@example.com"
[alerts.failures]
queue = "*"
failureRate = 0.5
window = "5m"
minJobs = 4
email = "oncall@example.com"
`));
    const work = host.queues[0]!;
    // A job type without a handler fails for good: 3 failed of 4 finished.
    await work.pushBulk([{ type: 'missing', maxAttempts: 1 }, { type: 'missing', maxAttempts: 1 }, { type: 'missing', maxAttempts: 1 }, { type: 'ok' }]);
    await waitFor('a firing email', () => mails.length >= 1, { timeoutMs: 15_000 });
    expect(mails[0]!.to).toEqual(['oncall@example.com']);
    expect(mails[0]!.raw).toContain('Subject: [flexq] firing: failures');
    expect(mails[0]!.raw).toContain('FIRING failures on queue work: 75% of jobs failed over 5m (3 of 4; alert at 50% of at least 4)');
    await work.pushBulk(Array.from({ length: 20 }, () => ({ type: 'ok' })));
    await waitFor('a resolved email', () => mails.length >= 2, { timeoutMs: 15_000 });
    expect(mails[1]!.raw).toContain('Subject: [flexq] resolved: failures');
    // It resolves on the first check that sees the rate below 50%, however many of the 20 had run by then.
    const resolved = /RESOLVED failures on queue work after \d+s: ([\d.]+)% of jobs failed over 5m \(3 of (\d+);/.exec(mails[1]!.raw);
    expect(resolved).not.toBeNull();
    expect(Number(resolved![1])).toBeLessThan(50);
    expect(Number(resolved![2])).toBeGreaterThan(6);
  });
});

describe('a no-worker rule', () => {
  test('fires while no worker of any host serves the queue, and resolves when one starts', async () => {
    const host = await startHost(toml(`
[alerts.orphaned]
queue = "work"
noWorkers = true
webhook = "${hook.origin}/orphaned"
`));
    await waitFor('a firing notice', () => hook.requests.length >= 1);
    expect(hook.requests[0]!.url).toBe('/orphaned');
    expect(texts()).toEqual(['[flexq] FIRING orphaned on queue work: no live worker']);
    // A worker of another process (here: a plain library worker) serves the queue now.
    const queue = await RedisQueue.connect('work', { url: REDIS_URL, prefix });
    const worker = new RedisWorker(queue, { pollTime: 100 });
    void worker.start();
    closers.push(async () => {
      await worker.stop();
      await queue.close();
    });
    await waitFor('a resolved notice', () => hook.requests.length >= 2);
    expect(texts()[1]).toMatch(/^\[flexq\] RESOLVED orphaned on queue work after \d+s: 1 live worker$/);
    expect(host.firingAlerts()).toEqual([]);
  });
});

describe('a read-only console', () => {
  test('shows a firing alert but writes and sends nothing', async () => {
    const host = await startHost(toml(`
[alerts.backlog]
queue = "work"
backlogAbove = 0
webhook = "${hook.origin}/hook"
`), { mode: 'console', readOnly: true });
    await host.queues[0]!.push({ type: 't' });
    await waitFor('the alert shown', () => host.firingAlerts().length === 1);
    const alerts = await RedisQueue.connect(ALERTS_QUEUE, { url: REDIS_URL, prefix });
    closers.push(() => alerts.close());
    expect(await alerts.getStats()).toMatchObject({ pendingJobs: 0, completedJobs: 0 });
    expect(hook.requests).toHaveLength(0);
  });
});

describe('queue = "*"', () => {
  test('a host\'s console shows flexq-alerts, where a failed notice waits for its retry, and the rule never judges it', async () => {
    const refusing = await startHttpServer((_req, res) => {
      res.statusCode = 500;
      res.end('down');
    });
    closers.push(() => refusing.close());
    const host = await startHost(toml(`
[alerts.backlog]
queue = "*"
backlogAbove = 2
webhook = "${refusing.origin}/hook"
`), { mode: 'console' });
    expect(host.queues.map((queue) => queue.name)).toEqual(['work', ALERTS_QUEUE]);
    // [handlers] is empty: `work` has no worker, but the host delivers notices.
    await host.queues[0]!.pushBulk([{ type: 't' }, { type: 't' }, { type: 't' }]);
    const alerts = host.queues[1]!;
    await waitFor('the notice to fail and wait for its retry', async () => (await alerts.getStats()).retryingJobs === 1);
    expect(host.firingAlerts().map((alert) => alert.queue)).toEqual(['work']);
  });


  test('watches the queues of [queues], not every queue a console finds registered in Redis', async () => {
    const other = await RedisQueue.connect('other', { url: REDIS_URL, prefix });
    closers.push(() => other.close());
    await other.pushBulk([{ type: 't' }, { type: 't' }, { type: 't' }]);
    const host = await startHost(toml(`
[alerts.backlog]
queue = "*"
backlogAbove = 2
webhook = "${hook.origin}/hook"
`), { mode: 'console', noWorkers: true });
    expect(host.queues.map((queue) => queue.name)).toContain('other');
    await host.queues.find((queue) => queue.name === 'work')!.pushBulk([{ type: 't' }, { type: 't' }, { type: 't' }]);
    // Both queues are judged in the same check: once work fires, other would have too.
    await waitFor('the alert on work', () => host.firingAlerts().length > 0);
    expect(host.firingAlerts().map((alert) => alert.queue)).toEqual(['work']);
  });
});

test('a headless host says at start which alert webhooks its address guard will refuse', async () => {
  const { lines, logger } = logSink();
  await startHost(`
alertInterval = "100ms"
[redis]
url = "${REDIS_URL}"
prefix = "${prefix}"
[queues.work]
[metrics]
enabled = false
[alerts.internal]
queue = "work"
noWorkers = true
webhook = "http://10.1.2.3:8080/hook?token=secret"
`, { mode: 'headless', logger });
  const warned = lines.filter((line) => line['alert'] === 'internal' && line['level'] === 40);
  expect(warned).toHaveLength(1);
  expect(String(warned[0]!['msg'])).toMatch(/^\[alerts\.internal\] webhook is a private address, which this host's webhooks refuse/);
  expect(JSON.stringify(lines)).not.toContain('secret');
});
