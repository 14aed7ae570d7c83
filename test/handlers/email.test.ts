import { hostname } from 'node:os';
import type { AddressInfo } from 'node:net';
import nodemailer from 'nodemailer';
import { SMTPServer, type SMTPServerOptions } from 'smtp-server';
import { afterEach, describe, expect, it } from 'vitest';
import { emailJobHandler, type EmailHandlerOptions, type EmailResultData } from '../../src/handlers/index.js';
import { closedPort, makeContext, makeJob, waitFor } from './helpers.js';

/** What the SMTP server received of one message. */
interface ReceivedMail {
  from: string;
  to: string[];
  raw: string;
}

interface TestSmtpServer {
  port: number;
  received: ReceivedMail[];
  connections: number;
}

const servers: SMTPServer[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((server) => new Promise<void>((resolve) => server.close(() => resolve()))));
});

/** A plain-text SMTP server on an ephemeral loopback port; `overrides` make it refuse or stall. */
async function startSmtpServer(overrides: Partial<SMTPServerOptions> = {}): Promise<TestSmtpServer> {
  const state: TestSmtpServer = { port: 0, received: [], connections: 0 };
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS', 'AUTH'],
    logger: false,
    closeTimeout: 100,
    onConnect: (_session, callback) => {
      state.connections += 1;
      callback();
    },
    onData: (stream, session, callback) => {
      const chunks: Buffer[] = [];
      stream.on('data', (chunk: Buffer) => chunks.push(chunk));
      stream.on('end', () => {
        const from = session.envelope.mailFrom ? session.envelope.mailFrom.address : '';
        state.received.push({ from, to: session.envelope.rcptTo.map((r) => r.address), raw: Buffer.concat(chunks).toString() });
        callback();
      });
    },
    ...overrides,
  });
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  state.port = (server.server.address() as AddressInfo).port;
  return state;
}

function smtpOptions(port: number, extra: Partial<EmailHandlerOptions> = {}): EmailHandlerOptions {
  return { host: '127.0.0.1', port, secure: false, ignoreTLS: true, connectionTimeout: 5_000, ...extra };
}

function smtpError(message: string, responseCode: number): Error {
  return Object.assign(new Error(message), { responseCode });
}

describe('emailJobHandler: delivery', () => {
  it('delivers the message and returns its messageId and accepted recipients', async () => {
    const smtp = await startSmtpServer();
    const { ctx } = makeContext();
    const handler = emailJobHandler(smtpOptions(smtp.port, { from: 'Billing <billing@example.test>' }));
    const payload = { to: 'Ada <ada@example.test>', subject: 'Your invoice', body: 'Total: 12 EUR', html: '<b>Total: 12 EUR</b>' };
    const result = await handler.handle(ctx, makeJob('email', payload));
    expect(result.success).toBe(true);
    const data = result.data as EmailResultData;
    expect(data.messageId).toMatch(/^<.+@.+>$/);
    expect(data.accepted).toEqual(['ada@example.test']);
    expect(data.rejected).toEqual([]);
    const [mail] = smtp.received;
    expect(mail?.from).toBe('billing@example.test');
    expect(mail?.to).toEqual(['ada@example.test']);
    expect(mail?.raw).toContain('Subject: Your invoice');
    expect(mail?.raw).toContain('Total: 12 EUR');
    expect(mail?.raw).toContain('<b>Total: 12 EUR</b>');
    expect(mail?.raw).toContain(`Message-ID: ${data.messageId}`);
  });

  it('sends from flexq@<hostname> by default, with cc and bcc recipients and an inline attachment', async () => {
    const smtp = await startSmtpServer();
    const { ctx } = makeContext();
    const payload = {
      to: ['a@example.test', 'b@example.test'],
      cc: 'c@example.test',
      bcc: ['d@example.test'],
      subject: 'Report',
      body: 'see attached',
      attachments: [{ filename: 'report.csv', content: 'id,total\n1,12\n', contentType: 'text/csv' }],
    };
    const result = await emailJobHandler(smtpOptions(smtp.port)).handle(ctx, makeJob('email', payload));
    expect(result.success).toBe(true);
    const mail = smtp.received[0];
    expect(mail?.from).toBe(`flexq@${hostname()}`);
    expect(mail?.to.sort()).toEqual(['a@example.test', 'b@example.test', 'c@example.test', 'd@example.test']);
    expect(mail?.raw).toContain('Cc: c@example.test');
    expect(mail?.raw).not.toContain('d@example.test'); // Bcc stays out of the headers
    expect(mail?.raw).toContain('filename=report.csv');
  });

  it('accepts a ready nodemailer transport and keeps its own from default', async () => {
    const smtp = await startSmtpServer();
    const transport = nodemailer.createTransport(smtpOptions(smtp.port), { from: 'ops@example.test' });
    const { ctx } = makeContext();
    const result = await emailJobHandler(transport).handle(ctx, makeJob('email', { to: 'x@example.test', subject: 's', body: 'b' }));
    expect(result.success).toBe(true);
    expect(smtp.received[0]?.from).toBe('ops@example.test');
  });

  it("takes nodemailer's pool options: a pooled handler sends over at most maxConnections connections", async () => {
    const smtp = await startSmtpServer();
    const { ctx } = makeContext();
    const handler = emailJobHandler(smtpOptions(smtp.port, { pool: true, maxConnections: 2, maxMessages: 10, rateDelta: 1000, rateLimit: 10 }));
    try {
      const results = await Promise.all(['a', 'b', 'c', 'd'].map((to) => handler.handle(ctx, makeJob('email', { to: `${to}@example.test`, subject: 's', body: 'b' }))));
      expect(results.map((result) => result.success)).toEqual([true, true, true, true]);
      expect(smtp.received.flatMap((mail) => mail.to).sort()).toEqual(['a@example.test', 'b@example.test', 'c@example.test', 'd@example.test']);
      expect(smtp.connections).toBeLessThanOrEqual(2);
    } finally {
      handler.close();
    }
  });
});

describe('emailJobHandler: failures', () => {
  it('retries a 4xx reply, quoting the server', async () => {
    const smtp = await startSmtpServer({ onRcptTo: (_a, _s, callback) => callback(smtpError('Mailbox busy, try later', 451)) });
    const { ctx } = makeContext();
    const result = await emailJobHandler(smtpOptions(smtp.port)).handle(ctx, makeJob('email', { to: 'x@example.test', subject: 's', body: 'b' }));
    expect(result.success).toBe(false);
    expect(result.retry).not.toBe(false);
    expect(result.error).toContain('451');
    expect(result.error).toContain('Mailbox busy');
  });

  it('fails a 5xx rejection for good', async () => {
    const smtp = await startSmtpServer({ onRcptTo: (_a, _s, callback) => callback(smtpError('No such user here', 550)) });
    const { ctx } = makeContext();
    const result = await emailJobHandler(smtpOptions(smtp.port)).handle(ctx, makeJob('email', { to: 'ghost@example.test', subject: 's', body: 'b' }));
    expect(result).toMatchObject({ success: false, retry: false });
    expect(result.error).toContain('550');
    expect(smtp.received).toHaveLength(0);
  });

  it('fails for good when the server refuses the message body with 554', async () => {
    const smtp = await startSmtpServer({
      onData: (stream, _session, callback) => {
        stream.on('end', () => callback(smtpError('Message looks like spam', 554)));
        stream.resume();
      },
    });
    const { ctx } = makeContext();
    const result = await emailJobHandler(smtpOptions(smtp.port)).handle(ctx, makeJob('email', { to: 'x@example.test', subject: 's', body: 'b' }));
    expect(result).toMatchObject({ success: false, retry: false });
    expect(result.error).toContain('spam');
  });

  it('retries when no server listens', async () => {
    const { ctx } = makeContext();
    const result = await emailJobHandler(smtpOptions(await closedPort())).handle(ctx, makeJob('email', { to: 'x@example.test', subject: 's', body: 'b' }));
    expect(result.success).toBe(false);
    expect(result.retry).not.toBe(false);
    expect(result.error).toMatch(/ECONNREFUSED|ESOCKET|ECONNECTION/);
  });

  it('stops when ctx.signal aborts mid-conversation', async () => {
    let stalled = false;
    const smtp = await startSmtpServer({
      onData: (stream) => {
        stalled = true; // never answer: only the abort can end this send
        stream.resume();
      },
    });
    const { ctx, controller } = makeContext();
    const pending = emailJobHandler(smtpOptions(smtp.port)).handle(ctx, makeJob('email', { to: 'x@example.test', subject: 's', body: 'b' }));
    await waitFor(() => stalled, 5_000, 'the server to receive DATA');
    controller.abort(new Error('job cancelled'));
    const result = await pending;
    expect(result.success).toBe(false);
    expect(result.error).toBe('email aborted: job cancelled');
  });

  it.each([
    [{ subject: 's', body: 'b' }, 'payload.to is missing'],
    [{ to: [], subject: 's', body: 'b' }, 'payload.to is missing'],
    [{ to: 'not-an-address', subject: 's', body: 'b' }, 'payload.to has a malformed address'],
    [{ to: 42, subject: 's', body: 'b' }, 'payload.to must be an address string'],
    [{ to: 'a@example.test\r\nBcc: evil@example.test', subject: 's', body: 'b' }, 'payload.to contains a line break'],
    [{ to: 'a@example.test', body: 'b' }, 'payload.subject is missing'],
    [{ to: 'a@example.test', subject: 's' }, 'payload.body is missing'],
    [{ to: 'a@example.test', subject: 's', body: 'b', cc: 'nope' }, 'payload.cc has a malformed address'],
    [{ to: 'a@example.test', subject: 's', body: 'b', attachments: [{ path: '/etc/passwd' }] }, 'payload.attachments[0].content must be a string'],
  ])('fails for good without connecting on an invalid payload %j', async (payload, message) => {
    const smtp = await startSmtpServer();
    const { ctx } = makeContext();
    const result = await emailJobHandler(smtpOptions(smtp.port)).handle(ctx, makeJob('email', payload));
    expect(result).toMatchObject({ success: false, retry: false });
    expect(result.error).toContain(message);
    expect(smtp.connections).toBe(0);
  });
});
