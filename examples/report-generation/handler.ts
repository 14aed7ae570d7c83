import { pathToFileURL } from 'node:url';
import type { Transporter } from 'nodemailer';
import { z } from 'zod';
import { PermanentError, type Handler, type Job, type JobContext, type JobResult } from '../../src/index.js';
import { ReportService, UnknownReportError } from './report-service.js';
import type { FileStorage } from './storage.js';

/** The payload of a `report_generation` job. */
export const ReportGenerationPayload = z.object({
  reportType: z.string().min(1),
  userId: z.string().min(1),
  parameters: z.object({ month: z.int().min(1).max(12), year: z.int().min(2000).max(2100) }),
});
export type ReportGenerationPayload = z.input<typeof ReportGenerationPayload>;

/** Who gets told that their report is ready. */
export interface Recipient {
  name: string;
  email: string;
}

/** Generates a PDF report, saves it, and mails it to the user who asked for it. */
export class ReportGenerationHandler implements Handler {
  constructor(
    private readonly reports: ReportService,
    private readonly storage: FileStorage,
    private readonly mailer: Transporter,
    private readonly users: ReadonlyMap<string, Recipient>,
  ) {}

  async handle(ctx: JobContext, job: Job): Promise<JobResult> {
    const parsed = ReportGenerationPayload.safeParse(job.payload);
    if (!parsed.success) throw new PermanentError(`invalid payload: ${z.prettifyError(parsed.error)}`);
    const { reportType, userId, parameters } = parsed.data;
    ctx.logger.info({ reportType, userId }, 'generating report');

    const pdf = await this.reports.generate(reportType, parameters).catch((err: unknown) => {
      throw err instanceof UnknownReportError ? new PermanentError(err.message) : err;
    });
    const period = `${parameters.year}-${String(parameters.month).padStart(2, '0')}`;
    // Named after the job, so a retry (say, after the mail server was down) replaces its own file.
    const filename = `report_${reportType}_${period}_${job.id}.pdf`;
    const filePath = await this.storage.save(filename, pdf);

    const user = this.users.get(userId);
    if (user) {
      await this.mailer.sendMail({
        to: `${user.name} <${user.email}>`,
        subject: 'Your report is ready',
        text: `Hi ${user.name},\n\nyour ${reportType.replaceAll('_', ' ')} report for ${period} is attached.\nIt is also stored at ${pathToFileURL(filePath).href}\n`,
        attachments: [{ filename, path: filePath, contentType: 'application/pdf' }],
      });
    }
    return {
      success: true,
      data: { reportType, filePath, bytes: pdf.length, generatedAt: new Date().toISOString(), userNotified: user !== undefined },
    };
  }
}
