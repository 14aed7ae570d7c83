/** What the engine stores for each kind of handler result: error texts, retryAfter's bounds, data. */
import { afterEach, beforeEach, expect, test } from 'vitest';
import { JobAbortedError, RedisWorker, type Job, type JobResult, type RedisQueue } from '../../src/index.js';
import { MAX_RETRY_AFTER_MS } from '../../src/engine/attempt.js';
import { freshQueue, waitFor } from '../helpers.js';

let queue: RedisQueue;
let cleanup: () => Promise<void>;
let worker: RedisWorker;

beforeEach(async () => {
  ({ queue, cleanup } = await freshQueue('results', { retryDelays: [20] }));
  worker = new RedisWorker(queue, { numWorkers: 4, pollTime: 100 });
});
afterEach(async () => {
  await worker.stop({ timeout: 2_000 });
  await cleanup();
});

/** Runs one job of a handler returning `result` on its first attempt; the job once it settles in `status`. */
async function firstAttempt(result: unknown, status: 'failed' | 'retrying' | 'completed', maxAttempts = 2): Promise<Job> {
  const type = `t${Math.random().toString(36).slice(2, 8)}`;
  worker.registerHandler(type, (_ctx, job) => (job.attempts === 1 ? result as JobResult : { success: true }));
  if (!worker.isRunning()) void worker.start();
  const { id } = await queue.push({ type, maxAttempts });
  return waitFor(`the job ${status}`, async () => {
    const job = await queue.getJob(id);
    return job?.status === status ? job : null;
  });
}

test('a failure without an error, or with one that is not text, is stored as words or JSON', async () => {
  expect((await firstAttempt({ success: false }, 'failed', 1)).error).toBe('handler reported failure');
  expect((await firstAttempt({ success: false, error: { code: 5 } }, 'failed', 1)).error).toBe('{"code":5}');
  expect((await firstAttempt({ success: false, error: 10n }, 'failed', 1)).error).toBe('10');
  expect((await firstAttempt({ success: false, error: undefined, retry: false }, 'failed')).error).toBe('handler reported failure');
});

test('retryAfter from 0 to 30 days is taken as given; outside it, it is ignored and the value quoted', async () => {
  const max = await firstAttempt({ success: false, error: 'later', retryAfter: MAX_RETRY_AFTER_MS }, 'retrying');
  expect(max.error).toBe('later');
  expect(max.runAt!.getTime() - max.enteredAt.getTime()).toBeGreaterThanOrEqual(MAX_RETRY_AFTER_MS - 1_000);
  expect((await firstAttempt({ success: false, error: 'now', retryAfter: 0 }, 'completed')).history![0]!.error).toBe('now');
  const note = (got: string) => ` (retryAfter ignored: must be a number of ms from 0 to ${MAX_RETRY_AFTER_MS}, got ${got})`;
  for (const [retryAfter, got] of [[MAX_RETRY_AFTER_MS + 1, String(MAX_RETRY_AFTER_MS + 1)], [-1, '-1'], ['30s', '"30s"']] as const) {
    const job = await firstAttempt({ success: false, error: 'x', retryAfter }, 'completed');
    expect(job.history![0]!.error).toBe(`x${note(got)}`);
  }
});

test('a handler that returns no JobResult fails the attempt, which is retried', async () => {
  for (const result of [undefined, null, 'done', { success: 'yes' }]) {
    const job = await firstAttempt(result, 'completed');
    expect(job.history![0], JSON.stringify(result)).toMatchObject({ outcome: 'retrying', error: 'handler returned no JobResult ({ success: boolean, … })' });
  }
});

test('no data stores no result; data JSON cannot write fails the job for good', async () => {
  expect((await firstAttempt({ success: true }, 'completed')).result).toBeUndefined();
  expect((await firstAttempt({ success: true, data: '' }, 'completed')).result).toBe('');
  const circular: Record<string, unknown> = {};
  circular.self = circular;
  const failed = await firstAttempt({ success: true, data: circular }, 'failed', 3);
  expect(failed.attempts).toBe(1);
  expect(failed.error).toMatch(/result data/);
  expect(new JobAbortedError('timeout', 'x').name).toBe('JobAbortedError');
});

test('a result over the queue\'s maxPayloadBytes fails the job for good, naming its size and the limit', async () => {
  await cleanup();
  ({ queue, cleanup } = await freshQueue('results-size', { maxPayloadBytes: 1_000 }));
  worker = new RedisWorker(queue, { numWorkers: 1, pollTime: 100 });
  // Just under the limit as JSON (the string's quotes count): stored.
  expect((await firstAttempt({ success: true, data: 'x'.repeat(998) }, 'completed')).result).toBe('x'.repeat(998));
  const over = await firstAttempt({ success: true, data: 'x'.repeat(999) }, 'failed', 3);
  expect(over.attempts).toBe(1);
  expect(over.error).toBe("result data is 1001 bytes of JSON, over the queue's maxPayloadBytes (1000): keep large results elsewhere and return a reference");
  expect(over.result).toBeUndefined();
});
