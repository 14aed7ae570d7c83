import nodemailer from 'nodemailer';
import { JobDispatcher, RedisQueue, RedisWorker, type Job } from '../../src/index.js';
import { exampleLogger, outputDir, queueConfig } from '../shared/config.js';
import { smtpTarget } from '../shared/smtp.js';
import { reportOutcome, waitForJob } from '../shared/wait.js';
import { ReportGenerationHandler, type ReportGenerationPayload } from './handler.js';
import { ReportService } from './report-service.js';
import { FileStorage } from './storage.js';

/** The seed's `GenerateMonthlyReport`, delayed a little so the month's data has settled (the seed waits 5 minutes). */
function generateMonthlyReport(dispatcher: JobDispatcher, userId: string, month: number, year: number): Promise<Job> {
  const payload: ReportGenerationPayload = { reportType: 'monthly_sales', userId, parameters: { month, year } };
  return dispatcher.dispatchDelayed('report_generation', payload, 1_000, { priority: 3, maxAttempts: 2 });
}

const smtp = await smtpTarget();
const mailer = nodemailer.createTransport({ ...smtp.options }, { from: 'Flex Reports <reports@example.test>' });
const users = new Map([['user-7', { name: 'Grace Hopper', email: 'grace@example.test' }]]);
const queue = await RedisQueue.connect('reports', queueConfig('report-generation'));
const worker = new RedisWorker(queue, { numWorkers: 1, pollTime: 1_000, logger: exampleLogger() });
const storage = new FileStorage(outputDir('report-generation'));
worker.registerHandler('report_generation', new ReportGenerationHandler(new ReportService(), storage, mailer, users));
const stopped = worker.start();

try {
  const job = await generateMonthlyReport(new JobDispatcher(queue), 'user-7', 3, 2025);
  console.log(`dispatched report_generation job ${job.id}, due at ${job.runAt?.toISOString() ?? 'once'}`);
  reportOutcome(await waitForJob(queue, job.id));
} finally {
  await worker.stop();
  await stopped;
  mailer.close();
  await queue.close();
  await smtp.close();
}
