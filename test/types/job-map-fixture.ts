/**
 * Compiled by test/types/job-map.test.ts with tsc, never run: with a job map, type names and
 * payloads are checked (each misuse below must be an error, or `@ts-expect-error` itself fails);
 * without one, everything is typed as before.
 */
import { expectTypeOf } from 'vitest';
import { JobDispatcher, RedisQueue, RedisWorker, type Job } from '../../src/index.js';

interface EmailPayload {
  to: string;
  subject: string;
}
interface ReportPayload {
  month: string;
  format?: 'pdf' | 'csv';
}
interface Jobs {
  email: EmailPayload;
  report: ReportPayload;
  ping: { note?: string };
}

export async function typed(): Promise<void> {
  const q = await RedisQueue.connect<Jobs>('typed');
  const dispatcher = new JobDispatcher(q);
  const worker = new RedisWorker(q);

  const email = await dispatcher.dispatch('email', { to: 'a@example.com', subject: 'hi' });
  expectTypeOf(email.payload).toEqualTypeOf<EmailPayload>();
  expectTypeOf(email.type).toEqualTypeOf<'email'>();
  await dispatcher.dispatch('report', { month: '2026-11' }, { priority: 5, group: 'tenant-1' });
  await dispatcher.dispatch('ping'); // a payload that may be empty may be left out
  await dispatcher.dispatchDelayed('report', { month: '2026-11', format: 'csv' }, 1_000);
  await dispatcher.dispatchBulk([{ type: 'email', payload: { to: 'b@example.com', subject: 's' } }, { type: 'ping' }]);

  // @ts-expect-error an unknown job type
  await dispatcher.dispatch('sms', { to: '1' });
  // @ts-expect-error a payload missing a field
  await dispatcher.dispatch('email', { to: 'a@example.com' });
  // @ts-expect-error a payload of another type
  await dispatcher.dispatch('report', { to: 'a@example.com', subject: 'x' });
  // @ts-expect-error a payload is required when it has required fields
  await dispatcher.dispatch('email');
  // @ts-expect-error a field of the wrong type
  await dispatcher.dispatch('report', { month: 11 });
  // @ts-expect-error a bulk entry of an unknown type
  await dispatcher.dispatchBulk([{ type: 'sms', payload: {} }]);

  await q.push({ type: 'email', payload: { to: 'c@example.com', subject: 's' } });
  // @ts-expect-error push checks the payload too
  await q.push({ type: 'email', payload: { subject: 's' } });
  await q.schedule('monthly', { cron: '0 3 1 * *' }, { type: 'report', payload: { month: 'last' } });
  // @ts-expect-error schedule checks the job type
  await q.schedule('nope', { every: 1_000 }, { type: 'sms' });

  worker.registerHandler('email', (_ctx, job) => {
    expectTypeOf(job.payload).toEqualTypeOf<EmailPayload>();
    return { success: job.payload.to.includes('@') };
  });
  worker.registerHandler('report', { handle: (_ctx, job) => ({ success: true, data: job.payload.month }) });
  worker.registerHandler('ping', { module: './ping-handler.js' });
  // @ts-expect-error a handler for a type the map does not have
  worker.registerHandler('sms', () => ({ success: true }));
  // @ts-expect-error a handler reading a field its payload does not have
  worker.registerHandler('report', (_ctx, job) => ({ success: job.payload.to === '' }));

  const stored = await q.getJob('some-id');
  if (stored?.type === 'report') expectTypeOf(stored.payload).toEqualTypeOf<ReportPayload>();
  if (stored?.type === 'email') expectTypeOf(stored.payload).toEqualTypeOf<EmailPayload>();
}

export async function untyped(): Promise<void> {
  const q = await RedisQueue.connect('plain');
  const dispatcher = new JobDispatcher(q);
  const worker = new RedisWorker(q);
  const job = await dispatcher.dispatch('anything', { any: 'thing', n: 1 });
  expectTypeOf(job).toEqualTypeOf<Job>();
  await dispatcher.dispatch('bare');
  await q.push({ type: 'whatever', payload: { x: [1, 2] } });
  worker.registerHandler('anything', (_ctx, stored) => {
    expectTypeOf(stored.payload).toEqualTypeOf<Record<string, unknown>>();
    return { success: true };
  });
  expectTypeOf(await q.getJob('id')).toEqualTypeOf<Job | null>();
}
