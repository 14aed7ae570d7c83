import { handlerFunc, JobDispatcher, RedisQueue, RedisWorker, type Job } from '../../src/index.js';
import { webhookJobHandler, type WebhookPayload } from '../../src/handlers/index.js';
import { exampleLogger, queueConfig } from '../shared/config.js';
import { reportOutcome, waitForJob } from '../shared/wait.js';
import { startWebhookReceiver, type WebhookReceiver } from './receiver.js';

interface User {
  id: string;
  email: string;
}

/** The seed's `SendUserRegisteredWebhook`: tell a partner about a new user. */
function sendUserRegisteredWebhook(dispatcher: JobDispatcher, url: string, user: User): Promise<Job> {
  const payload = {
    url,
    method: 'POST',
    headers: { Authorization: 'Bearer example-partner-token', 'X-Event-Type': 'user.registered' },
    data: { event: 'user.registered', userId: user.id, userEmail: user.email, timestamp: new Date().toISOString() },
  } satisfies WebhookPayload;
  return dispatcher.dispatch('webhook_delivery', payload, { maxAttempts: 5, priority: 2 });
}

const secret = process.env['FLEXQ_WEBHOOK_SECRET'] ?? 'example-signing-secret';
// WEBHOOK_URL points at a receiver of your own; without it the example starts one.
const receiver: WebhookReceiver | undefined = process.env['WEBHOOK_URL'] ? undefined : await startWebhookReceiver(secret);
const url = process.env['WEBHOOK_URL'] ?? receiver?.url ?? '';
// A short first retry delay; the receiver's Retry-After (1 s) asks for longer, and wins.
const queue = await RedisQueue.connect('webhooks', queueConfig('webhook-delivery', { retryDelays: [200, 1_000] }));
const worker = new RedisWorker(queue, { numWorkers: 4, pollTime: 1_000, logger: exampleLogger() });
// The built-in handler signs each request (X-Flexq-Signature) and sorts failures into retry / give up;
// a handlerFunc around it adds the seed's "Delivering webhook" log line.
const deliver = webhookJobHandler({ signingSecret: secret, timeout: 5_000 });
worker.registerHandler('webhook_delivery', handlerFunc(async (ctx, job) => {
  ctx.logger.info({ url: job.payload['url'], attempt: job.attempts }, 'delivering webhook');
  return deliver.handle(ctx, job);
}));
const stopped = worker.start();

try {
  const job = await sendUserRegisteredWebhook(new JobDispatcher(queue), url, { id: 'user-42', email: 'ada@example.test' });
  console.log(`dispatched webhook_delivery job ${job.id} to ${url}`);
  reportOutcome(await waitForJob(queue, job.id));
} finally {
  await worker.stop();
  await stopped;
  await queue.close();
  await receiver?.close();
}
