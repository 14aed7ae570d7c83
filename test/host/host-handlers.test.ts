/** `[smtp]` and `[webhook]` reach the built-in handlers the host registers. */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { SMTPServer } from 'smtp-server';
import { afterEach, beforeEach, describe, expect, test } from 'vitest';
import type { RedisQueue } from '../../src/index.js';
import type { HostMode } from '../../src/host/handler-setup.js';
import { deletePrefix, REDIS_URL, uniquePrefix, waitFor } from '../helpers.js';
import { startHost, stopHosts } from './host-helpers.js';

let prefix: string;
const closers: (() => Promise<void>)[] = [];
beforeEach(() => {
  prefix = uniquePrefix('host-handlers');
});
afterEach(async () => {
  await stopHosts();
  await Promise.all(closers.splice(0).map((close) => close()));
  await deletePrefix(prefix);
});

const redisToml = () => `
[redis]
url = "${REDIS_URL}"
prefix = "${prefix}"
[queues.default]
pollTime = "200ms"
[metrics]
enabled = false
`;

async function finished(queue: RedisQueue, id: string) {
  return waitFor('the job finished', async () => {
    const job = await queue.getJob(id);
    return job?.status === 'completed' || job?.status === 'failed' ? job : null;
  }, { timeoutMs: 15_000 });
}

describe('[smtp]', () => {
  test('host, port, username, password (from FLEXQ_SMTP_PASSWORD) and from reach the email built-in', async () => {
    const received: { from: string; to: string[]; user?: string; raw: string }[] = [];
    const logins: { username?: string; password?: string }[] = [];
    const server = new SMTPServer({
      disabledCommands: ['STARTTLS'],
      allowInsecureAuth: true,
      logger: false,
      closeTimeout: 100,
      onAuth: (auth, _session, callback) => {
        logins.push({ username: auth.username, password: auth.password ?? undefined });
        if (auth.username === 'mailer' && auth.password === 'from-env') callback(null, { user: auth.username });
        else callback(new Error('bad credentials'));
      },
      onData: (stream, session, callback) => {
        const chunks: Buffer[] = [];
        stream.on('data', (chunk: Buffer) => chunks.push(chunk));
        stream.on('end', () => {
          received.push({
            from: session.envelope.mailFrom ? session.envelope.mailFrom.address : '',
            to: session.envelope.rcptTo.map((r) => r.address),
            user: session.user as string | undefined,
            raw: Buffer.concat(chunks).toString(),
          });
          callback();
        });
      },
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    closers.push(() => new Promise<void>((resolve) => server.close(() => resolve())));
    const port = (server.server.address() as AddressInfo).port;
    const host = await startHost(`${redisToml()}
[handlers.mail]
builtin = "email"
[smtp]
host = "127.0.0.1"
port = ${port}
secure = false
username = "mailer"
password = "from-file"
from = "flexq-test@example.com"
`, { env: { FLEXQ_SMTP_PASSWORD: 'from-env' } });
    const queue = host.queues[0]!;
    const job = await queue.push({ type: 'mail', payload: { to: 'someone@example.com', subject: 'Hi', body: 'Hello there' }, maxAttempts: 1 });
    expect(await finished(queue, job.id)).toMatchObject({ status: 'completed' });
    expect(logins).toEqual([{ username: 'mailer', password: 'from-env' }]);
    expect(received).toHaveLength(1);
    expect(received[0]).toMatchObject({ from: 'flexq-test@example.com', to: ['someone@example.com'], user: 'mailer' });
    expect(received[0]!.raw).toContain('Subject: Hi');
  });
});

describe('[webhook] blockPrivateAddresses', () => {
  let server: Server;
  let hits: number;
  let url: string;
  beforeEach(async () => {
    hits = 0;
    server = createServer((_req, res) => {
      hits++;
      res.end('ok');
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    closers.push(() => new Promise<void>((resolve) => server.close(() => resolve())));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`;
  });

  async function deliver(mode: HostMode, webhookTable = '') {
    const host = await startHost(`${redisToml()}
[handlers.hook]
builtin = "webhook"
${webhookTable}`, { mode });
    const queue = host.queues[0]!;
    const job = await queue.push({ type: 'hook', payload: { url, data: { n: 1 } }, maxAttempts: 1 });
    try {
      return await finished(queue, job.id);
    } finally {
      await host.stop(100); // the next host of the test must not find this one's workers running
    }
  }

  test('on with --headless: a loopback target is refused and never reached', async () => {
    const job = await deliver('headless');
    expect(job.status).toBe('failed');
    expect(job.error).toMatch(/private|loopback|blocked|not allowed/i);
    expect(hits).toBe(0);
  });

  test('off in the console: the same loopback target is delivered', async () => {
    expect(await deliver('console')).toMatchObject({ status: 'completed' });
    expect(hits).toBe(1);
  });

  test('the config wins over the mode either way', async () => {
    expect(await deliver('headless', '[webhook]\nblockPrivateAddresses = false')).toMatchObject({ status: 'completed' });
    expect(hits).toBe(1);
    expect(await deliver('console', '[webhook]\nblockPrivateAddresses = true')).toMatchObject({ status: 'failed' });
    expect(hits).toBe(1);
  });
});
