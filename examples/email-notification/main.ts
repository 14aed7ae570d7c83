import { JobDispatcher, RedisQueue, RedisWorker, type Job } from '../../src/index.js';
import { emailJobHandler } from '../../src/handlers/index.js';
import { exampleLogger, queueConfig } from '../shared/config.js';
import { smtpTarget } from '../shared/smtp.js';
import { reportOutcome, waitForJob } from '../shared/wait.js';
import { EmailNotificationHandler, type EmailNotificationPayload } from './handler.js';
import { UserService } from './users.js';

/** The seed's `SendWelcomeEmail`: what application code calls when someone signs up. */
function sendWelcomeEmail(dispatcher: JobDispatcher, userId: string): Promise<Job> {
  const payload: EmailNotificationPayload = { userId, template: 'welcome', data: { welcomeBonus: 100 } };
  return dispatcher.dispatch('email_notification', payload, { maxAttempts: 3 });
}

const users = new UserService([{ id: 'user-42', name: 'Ada Lovelace', email: 'ada@example.test' }]);
const smtp = await smtpTarget();
const queue = await RedisQueue.connect('notifications', queueConfig('email-notification', { retryDelays: [1_000] }));
const worker = new RedisWorker(queue, { numWorkers: 2, pollTime: 1_000, logger: exampleLogger() });
const mailer = emailJobHandler({ ...smtp.options, from: 'Flex <hello@example.test>' });
worker.registerHandler('email_notification', new EmailNotificationHandler(users, mailer));
const stopped = worker.start();

try {
  const job = await sendWelcomeEmail(new JobDispatcher(queue), 'user-42');
  console.log(`dispatched email_notification job ${job.id}`);
  reportOutcome(await waitForJob(queue, job.id));
} finally {
  await worker.stop();
  await stopped;
  mailer.close();
  await queue.close();
  await smtp.close();
}
