/**
 * What a program sees when it hands flexq a bad setting, or when an operation fails: each setting of
 * `connect` and `RedisWorker` refused with a message naming it and the value given, the edges of
 * each range taken, and every error of the API with the name and `code` programs switch on.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  ConnectionError, FlexqError, InvalidJobStateError, JobNotFoundError, PermanentError, QueueClosedError, RedisQueue, RedisWorker,
  ScheduleNotFoundError, ValidationError,
} from '../../src/index.js';
import { scriptError } from '../../src/engine/errors.js';
import { shardSettings } from '../../src/engine/queue-config.js';
import { freePort, freshQueue, testRedisConfig, uniquePrefix } from '../helpers.js';

/** The error `action` rejects with (failing the test when it resolves). */
async function rejection(action: () => Promise<unknown>): Promise<FlexqError> {
  const outcome = await action().then(() => undefined, (err: unknown) => err);
  if (!(outcome instanceof FlexqError)) throw new Error(`expected a FlexqError, got ${String(outcome)}`);
  return outcome;
}

/** The ValidationError `build` throws, with its operation. */
function refusal(build: () => unknown): { operation: string; message: string } {
  try {
    build();
  } catch (err) {
    expect(err).toBeInstanceOf(ValidationError);
    const { operation, message, code, name } = err as ValidationError;
    expect([code, name]).toEqual(['INVALID_ARGUMENT', 'ValidationError']);
    return { operation, message };
  }
  throw new Error('accepted what should be refused');
}

describe('connect settings', () => {
  const connect = (config: Record<string, unknown>) => RedisQueue.connect('checks', { ...testRedisConfig(), prefix: uniquePrefix('checks'), ...config });
  const refused = async (config: Record<string, unknown>) => {
    const err = await rejection(() => connect(config));
    expect(err).toBeInstanceOf(ValidationError);
    expect(err.operation).toBe('connect');
    return err.message;
  };

  it('names each bad setting and the value given', async () => {
    expect(await refused({ maxRetries: 0 })).toBe('connect: maxRetries must be a positive integer, got 0');
    expect(await refused({ maxRetries: 1.5 })).toBe('connect: maxRetries must be a positive integer, got 1.5');
    expect(await refused({ retryDelays: [] })).toBe('connect: retryDelays must be a non-empty array of milliseconds');
    expect(await refused({ retryDelays: [10, -1] })).toMatch(/^connect: retryDelays\[1\] must be a number of milliseconds from 0/);
    expect(await refused({ prefix: '' })).toBe('connect: prefix must be a non-empty string without braces, got ""');
    expect(await refused({ prefix: 'a{b}' })).toBe('connect: prefix must be a non-empty string without braces, got "a{b}"');
    expect(await refused({ prefix: 7 })).toBe('connect: prefix must be a non-empty string without braces, got 7');
    expect(await refused({ durability: 'eventual' })).toBe('connect: durability must be "primary" or "replicated", got "eventual"');
    expect(await refused({ maxPayloadBytes: 1 })).toBe('connect: maxPayloadBytes must be an integer from 2 to 536870912, got 1');
    expect(await refused({ maxPayloadBytes: 536_870_913 })).toBe('connect: maxPayloadBytes must be an integer from 2 to 536870912, got 536870913');
    expect(await refused({ maxPayloadBytes: 2.5 })).toMatch(/maxPayloadBytes must be an integer/);
    expect(await refused({ poolSize: -1 })).toBe('connect: poolSize must be a non-negative integer, got -1');
    expect(await refused({ minIdleConns: 0.5 })).toBe('connect: minIdleConns must be a non-negative integer, got 0.5');
    expect(await refused({ keepCompleted: { count: -1 } })).toBe('connect: keepCompleted.count must be a non-negative integer, got -1');
    expect(await refused({ keepFailed: { count: 2.5 } })).toBe('connect: keepFailed.count must be a non-negative integer, got 2.5');
    expect(await refused({ keepFailed: { age: -5 } })).toMatch(/^connect: keepFailed\.age must be a number of milliseconds/);
  });

  it('takes the edges of each range', async () => {
    for (const config of [
      { maxRetries: 1, retryDelays: [0], maxPayloadBytes: 2, poolSize: 0, minIdleConns: 0, keepCompleted: { count: 0 } },
      { maxPayloadBytes: 536_870_912, durability: 'primary', prefix: 'flexq-test-edge:x' },
    ]) {
      const queue = await connect(config);
      await queue.close();
    }
  });

  it('splits retention counts evenly over shards, rounding up, and keeps the ages', () => {
    const settings = shardSettings({ keepCompleted: { count: 5 }, keepFailed: { age: 60_000, count: 9 } }, 2);
    expect(settings.keepCompleted).toEqual({ age: 24 * 3_600_000, count: 3 });
    expect(settings.keepFailed).toEqual({ age: 60_000, count: 5 });
    expect(shardSettings({}, 1)).toMatchObject({ durability: 'primary', eventsMaxLen: 2_000, keepFailed: { age: 7 * 24 * 3_600_000, count: 10_000 } });
    expect(shardSettings({ durability: 'replicated', eventsMaxLen: 50 }, 1)).toMatchObject({ durability: 'replicated', eventsMaxLen: 50 });
  });
});

describe('worker settings', () => {
  let queue: RedisQueue;
  let cleanup: () => Promise<void>;
  beforeAll(async () => ({ queue, cleanup } = await freshQueue('worker-checks')));
  afterAll(async () => cleanup());

  it('takes each count and time from 1 to 2^31-1 ms and names the one out of range', () => {
    for (const name of ['numWorkers', 'pollTime', 'visibilityTimeout', 'jobTimeout']) {
      for (const bad of [0, 1.5, 2 ** 31]) {
        expect(refusal(() => new RedisWorker(queue, { [name]: bad }))).toEqual({
          operation: 'RedisWorker', message: `RedisWorker: ${name} must be an integer from 1 to 2147483647, got ${bad}`,
        });
      }
      expect(new RedisWorker(queue, { [name]: 1 })).toBeInstanceOf(RedisWorker);
      expect(new RedisWorker(queue, { [name]: 2 ** 31 - 1 })).toBeInstanceOf(RedisWorker);
    }
    expect(new RedisWorker(queue, { numWorkers: 7 }).numWorkers).toBe(7);
  });

  it('refuses a handler without a type or without a way to handle', () => {
    const worker = new RedisWorker(queue);
    expect(refusal(() => worker.registerHandler('', () => ({ success: true })))).toEqual({
      operation: 'registerHandler', message: 'registerHandler: job type must be a non-empty string',
    });
    expect(refusal(() => worker.registerHandler(7 as unknown as string, () => ({ success: true }))).message).toMatch(/job type must be a non-empty string/);
    expect(refusal(() => worker.registerHandler('mail', 42 as never))).toEqual({
      operation: 'registerHandler', message: 'registerHandler: handler for "mail" must be a function or have a handle(ctx, job) method',
    });
    expect(refusal(() => worker.registerHandler('mail', {} as never)).message).toMatch(/handler for "mail"/);
    expect(() => worker.registerHandler('mail', { handle: async () => ({ success: true }) })).not.toThrow();
  });
});

describe('errors of the API', () => {
  let queue: RedisQueue;
  let cleanup: () => Promise<void>;
  beforeAll(async () => ({ queue, cleanup } = await freshQueue('errors')));
  afterAll(async () => cleanup());

  it('carry the name and code of their kind, and the operation', async () => {
    const missing = await rejection(() => queue.cancelJob('NOSUCHJOB'));
    expect(missing).toBeInstanceOf(JobNotFoundError);
    expect([missing.name, missing.code, missing.operation, missing.message]).toEqual(
      ['JobNotFoundError', 'NOT_FOUND', 'cancelJob', 'cancelJob: job NOSUCHJOB not found in queue "errors"'],
    );
    const job = await queue.push({ type: 't', payload: {} });
    const state = await rejection(() => queue.retryJob(job.id));
    expect(state).toBeInstanceOf(InvalidJobStateError);
    expect([state.name, state.code, state.operation]).toEqual(['InvalidJobStateError', 'BAD_STATE', 'retryJob']);
    const schedule = await rejection(() => queue.triggerSchedule('nope'));
    expect(schedule).toBeInstanceOf(ScheduleNotFoundError);
    expect([schedule.name, schedule.code, schedule.message]).toEqual(
      ['ScheduleNotFoundError', 'NOT_FOUND', 'triggerSchedule: schedule "nope" not found in queue "errors"'],
    );
    const invalid = await rejection(() => queue.push({ type: '', payload: {} }));
    expect([invalid.name, invalid.code]).toEqual(['ValidationError', 'INVALID_ARGUMENT']);
  });

  it('a call that refuses an argument names itself, and a state error names the states that qualify', async () => {
    const job = await queue.push({ type: 't', payload: {} });
    const refusals: [operation: string, call: () => Promise<unknown>][] = [
      ['pushDelayed', () => queue.pushDelayed({ type: 't' }, -1)], ['pushBulk', () => queue.pushBulk({} as never)],
      ['getJob', () => queue.getJob('')], ['setPriority', () => queue.setPriority(job.id, 1.5)],
      ['setGroupConcurrency', () => queue.setGroupConcurrency(0)],
    ];
    for (const [operation, call] of refusals) {
      const err = await rejection(call);
      expect([err.name, err.operation], operation).toEqual(['ValidationError', operation]);
      expect(err.message.startsWith(`${operation}: `), err.message).toBe(true);
    }
    expect((await rejection(() => queue.pushBulk('jobs' as never))).message).toBe('pushBulk: jobs must be an array');
    expect((await rejection(() => queue.retryJob(job.id))).message).toBe(`retryJob: job ${job.id} is pending; only failed or cancelled jobs qualify`);
    expect((await rejection(() => queue.removeJob(job.id))).message).toBe(
      `removeJob: job ${job.id} is pending; only completed, failed or cancelled jobs qualify`,
    );
  });

  it('a closed queue and an unreachable Redis say so by kind', async () => {
    const { queue: closing, cleanup: done } = await freshQueue('closing');
    await done();
    const closed = await rejection(() => closing.push({ type: 't', payload: {} }));
    expect(closed).toBeInstanceOf(QueueClosedError);
    expect([closed.name, closed.code, closed.message]).toEqual(['QueueClosedError', 'CLOSED', 'push: queue "closing" is closed']);
    const port = await freePort();
    const unreachable = await rejection(() => RedisQueue.connect('q', { url: `redis://127.0.0.1:${port}`, connectTimeout: 500 }));
    expect(unreachable).toBeInstanceOf(ConnectionError);
    expect([unreachable.name, unreachable.code, unreachable.operation]).toEqual(['ConnectionError', 'CONNECTION', 'connect']);
  });

  it('a handler\'s PermanentError says its kind by name, as logs and job errors show it', () => {
    const err = new PermanentError('card declined');
    expect([err.name, String(err), err instanceof Error]).toEqual(['PermanentError', 'PermanentError: card declined', true]);
  });

  it('a script reply flexq does not know is an error naming it, never a silent success', () => {
    const exists = scriptError('ID_EXISTS', 'push', 'J1', 'q', undefined, '');
    expect([exists.name, exists.code, exists.message]).toEqual(['FlexqError', 'ID_EXISTS', 'push: job id J1 already exists in queue "q"']);
    const odd = scriptError('WHAT', 'cancelJob', 'J1', 'q', undefined, '');
    expect([odd.code, odd.message]).toEqual(['INVALID_ARGUMENT', 'cancelJob: unexpected script reply WHAT']);
    const state = scriptError('BAD_STATE', 'retryJob', 'J1', 'q', undefined, 'failed');
    expect(state.message).toBe('retryJob: job J1 is unknown; only failed jobs qualify');
  });
});
