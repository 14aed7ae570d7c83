import { z } from 'zod';
import type { Handler, Job, JobContext, JobResult } from '../../src/index.js';
import type { EmailResultData } from '../../src/handlers/index.js';
import { renderTemplate, TemplateNotFoundError } from './templates.js';
import { UserNotFoundError, type UserService } from './users.js';

/** The payload of an `email_notification` job. */
export const EmailNotificationPayload = z.object({
  userId: z.string().min(1),
  template: z.string().min(1),
  data: z.record(z.string(), z.unknown()).default({}),
});
export type EmailNotificationPayload = z.input<typeof EmailNotificationPayload>;

/**
 * Looks the user up, renders the template and hands the message to the built-in `email`
 * handler, whose verdict (retry on a dropped connection, give up on a 5xx) it passes on.
 */
export class EmailNotificationHandler implements Handler {
  constructor(
    private readonly users: UserService,
    private readonly mailer: Handler,
  ) {}

  async handle(ctx: JobContext, job: Job): Promise<JobResult> {
    const parsed = EmailNotificationPayload.safeParse(job.payload);
    if (!parsed.success) return { success: false, retry: false, error: `invalid payload: ${z.prettifyError(parsed.error)}` };
    const { userId, template, data } = parsed.data;
    try {
      const user = await this.users.getById(userId);
      const email = renderTemplate(template, { user, data });
      ctx.logger.info({ userId, template }, 'sending notification');
      const sent = await this.mailer.handle(ctx, { ...job, payload: { to: `${user.name} <${user.email}>`, ...email } });
      if (!sent.success) return sent;
      const { messageId } = sent.data as EmailResultData;
      return { success: true, data: { userId, template, sentTo: user.email, messageId, sentAt: new Date().toISOString() } };
    } catch (err) {
      // Neither a missing user nor a missing template fixes itself on retry.
      if (err instanceof UserNotFoundError || err instanceof TemplateNotFoundError) return { success: false, retry: false, error: err.message };
      throw err;
    }
  }
}
