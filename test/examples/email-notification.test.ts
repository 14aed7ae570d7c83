import { afterEach, describe, expect, it } from 'vitest';
import { RedisQueue } from '../../src/index.js';
import { deletePrefix, REDIS_URL, uniquePrefix } from '../helpers.js';
import { printedResult, runExample, startTestSmtpServer, type TestSmtpServer } from './helpers.js';

describe('examples/email-notification', { timeout: 60_000 }, () => {
  const prefixes: string[] = [];
  let smtp: TestSmtpServer | undefined;
  afterEach(async () => {
    await smtp?.close();
    smtp = undefined;
    await Promise.all(prefixes.splice(0).map(deletePrefix));
  });

  it('looks the user up and mails the rendered welcome template to the configured SMTP server', async () => {
    const prefix = uniquePrefix('ex-email');
    prefixes.push(prefix);
    smtp = await startTestSmtpServer();
    const run = await runExample('email-notification', { FLEXQ_REDIS_PREFIX: prefix, SMTP_HOST: smtp.host, SMTP_PORT: String(smtp.port) });
    expect(run.code, run.output).toBe(0);

    expect(smtp.received).toHaveLength(1);
    const [message] = smtp.received;
    expect(message?.envelopeFrom).toBe('hello@example.test');
    expect(message?.envelopeTo).toEqual(['ada@example.test']);
    expect(message?.mail.subject).toBe('Welcome to Flex, Ada Lovelace!');
    expect(message?.mail.text).toContain('welcome bonus of 100 points');
    expect(message?.mail.html).toContain('<b>100</b>');

    const { attempts, result } = printedResult(run);
    expect(attempts).toBe(1);
    expect(result).toMatchObject({ userId: 'user-42', template: 'welcome', sentTo: 'ada@example.test', messageId: message?.mail.messageId });

    // The job ran through Redis under the prefix the test gave the example.
    const queue = await RedisQueue.connect('notifications', { url: REDIS_URL, prefix });
    try {
      const [job] = await queue.listJobs('completed');
      expect(job).toMatchObject({ type: 'email_notification', status: 'completed', payload: { userId: 'user-42', template: 'welcome' } });
    } finally {
      await queue.close();
    }
  });

  it('starts its own SMTP server when none is configured', async () => {
    const prefix = uniquePrefix('ex-email');
    prefixes.push(prefix);
    const run = await runExample('email-notification', { FLEXQ_REDIS_PREFIX: prefix });
    expect(run.code, run.output).toBe(0);
    expect(run.stdout).toContain('started a local SMTP server on 127.0.0.1:');
    expect(run.stdout).toContain('local SMTP server received "Welcome to Flex, Ada Lovelace!" for ada@example.test');
    expect(printedResult(run).result).toMatchObject({ sentTo: 'ada@example.test' });
  });
});
