import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { basename, dirname, join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { deletePrefix, uniquePrefix } from '../helpers.js';
import { printedResult, runExample, startTestSmtpServer } from './helpers.js';

describe('examples/report-generation', { timeout: 60_000 }, () => {
  const cleanups: (() => Promise<void>)[] = [];
  afterEach(async () => {
    await Promise.all(cleanups.splice(0).map((cleanup) => cleanup()));
  });

  async function isolated(): Promise<{ prefix: string; dir: string }> {
    const prefix = uniquePrefix('ex-report');
    const dir = await mkdtemp(join(tmpdir(), 'flexq-ex-report-'));
    cleanups.push(() => deletePrefix(prefix), () => rm(dir, { recursive: true, force: true }));
    return { prefix, dir };
  }

  it('saves a PDF report and mails it as an attachment to the configured SMTP server', async () => {
    const { prefix, dir } = await isolated();
    const smtp = await startTestSmtpServer();
    cleanups.push(() => smtp.close());

    const run = await runExample('report-generation', {
      FLEXQ_REDIS_PREFIX: prefix, EXAMPLES_OUTPUT_DIR: dir, SMTP_HOST: smtp.host, SMTP_PORT: String(smtp.port),
    });
    expect(run.code, run.output).toBe(0);
    const { result } = printedResult(run);
    expect(result).toMatchObject({ reportType: 'monthly_sales', userNotified: true });

    const filePath = String(result['filePath']);
    expect(dirname(filePath)).toBe(dir);
    expect(basename(filePath)).toMatch(/^report_monthly_sales_2025-03_\w+\.pdf$/);
    const pdf = await readFile(filePath);
    expect(pdf.subarray(0, 5).toString('latin1')).toBe('%PDF-');
    expect(pdf.subarray(-6).toString('latin1')).toContain('%%EOF');
    expect(result['bytes']).toBe(pdf.length);

    expect(smtp.received).toHaveLength(1);
    const [message] = smtp.received;
    expect(message?.envelopeTo).toEqual(['grace@example.test']);
    expect(message?.mail.subject).toBe('Your report is ready');
    expect(message?.mail.text).toContain('monthly sales report for 2025-03');
    const attachments = message?.mail.attachments ?? [];
    expect(attachments).toHaveLength(1);
    expect(attachments[0]).toMatchObject({ filename: basename(filePath), contentType: 'application/pdf', contentDisposition: 'attachment' });
    expect(attachments[0]?.content.equals(pdf)).toBe(true);
  });

  it('starts its own SMTP server when none is configured', async () => {
    const { prefix, dir } = await isolated();
    const run = await runExample('report-generation', { FLEXQ_REDIS_PREFIX: prefix, EXAMPLES_OUTPUT_DIR: dir });
    expect(run.code, run.output).toBe(0);
    expect(run.stdout).toMatch(/local SMTP server received "Your report is ready" for grace@example\.test, attached: report_monthly_sales_2025-03_\w+\.pdf \(\d+ bytes\)/);
    expect(printedResult(run).result).toMatchObject({ userNotified: true });
  });
});
