import type { AddressInfo } from 'node:net';
import { simpleParser } from 'mailparser';
import { SMTPServer } from 'smtp-server';
import type { EmailHandlerOptions } from '../../src/handlers/index.js';

/** Where an example sends mail, and how to let go of it afterwards. */
export interface SmtpTarget {
  options: EmailHandlerOptions;
  close(): Promise<void>;
}

/**
 * The SMTP server named by `SMTP_HOST` / `SMTP_PORT` (plain SMTP, as a local catcher such as
 * MailHog speaks), or else a throwaway server on a loopback port that prints what it receives.
 */
export async function smtpTarget(): Promise<SmtpTarget> {
  const host = process.env['SMTP_HOST'];
  if (host) {
    const port = Number(process.env['SMTP_PORT'] ?? 25);
    return { options: { host, port, secure: false, ignoreTLS: true }, close: async () => undefined };
  }
  const server = await startLocalSmtpServer();
  return { options: { host: '127.0.0.1', port: server.port, secure: false, ignoreTLS: true }, close: server.close };
}

/** A local SMTP server that accepts every message and prints its envelope, subject and attachments. */
async function startLocalSmtpServer(): Promise<{ port: number; close(): Promise<void> }> {
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS', 'AUTH'],
    logger: false,
    onData(stream, session, callback) {
      simpleParser(stream).then(
        (mail) => {
          const to = session.envelope.rcptTo.map((rcpt) => rcpt.address).join(', ');
          const files = mail.attachments.map((file) => `${file.filename ?? '(unnamed)'} (${file.size} bytes)`);
          console.log(`local SMTP server received "${mail.subject ?? ''}" for ${to}${files.length ? `, attached: ${files.join(', ')}` : ''}`);
          callback();
        },
        (err: Error) => callback(err),
      );
    },
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.server.address() as AddressInfo;
  console.log(`no SMTP_HOST set: started a local SMTP server on 127.0.0.1:${port}`);
  return { port, close: () => new Promise<void>((resolve) => server.close(() => resolve())) };
}
