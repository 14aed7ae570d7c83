/**
 * A misspelled option must not be dropped in silence: every options object of the public API
 * (connect, queue(), RedisWorker, a module handler, a schedule, the built-in handlers) refuses an
 * unknown key with a message that names it, suggests the option meant and lists the valid ones,
 * and refuses a value of the wrong type naming the option.
 */
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { emailJobHandler, JobDispatcher, RedisQueue, RedisWorker, ValidationError, webhookJobHandler } from '../../src/index.js';
import { DEFAULTS } from '../../src/engine/defaults.js';
import { nearestName } from '../../src/engine/known-keys.js';
import { freshQueue, rawClient, refusal, testRedisConfig, uniquePrefix } from '../helpers.js';


describe('connect', () => {
  it('refuses misspelled keys, suggesting the option meant, and writes nothing under either prefix', async () => {
    const prefix = uniquePrefix('typo');
    // A name of its own: keys of it under the default prefix can only come from this connect.
    const name = `typo-${randomBytes(5).toString('hex')}`;
    const connecting = RedisQueue.connect(name, { ...testRedisConfig(), prefx: prefix, maxRetry: 9 } as never);
    await expect(connecting).rejects.toThrow(ValidationError);
    const message = await connecting.catch((err: Error) => err.message);
    expect(message).toContain("unknown option 'prefx' (did you mean 'prefix'?), unknown option 'maxRetry' (did you mean 'maxRetries'?)");
    expect(message).toMatch(/valid options: .*\bprefix\b.*/);
    const client = rawClient();
    try {
      expect(await client.keys(`${prefix}*`)).toEqual([]);
      expect(await client.keys(`${DEFAULTS.prefix}:{${name}}*`)).toEqual([]);
      expect(await client.sismember(`${DEFAULTS.prefix}:queues`, name)).toBe(0);
    } finally {
      client.disconnect();
    }
  });

  it('takes one place to connect to: two would leave one unused without a word', async () => {
    const message = await RedisQueue.connect('two', { addr: '127.0.0.1:6379', url: 'redis://127.0.0.1:6380' }).catch((err: Error) => err.message);
    expect(message).toBe('connect: give one of url, addr, cluster and sentinel, got url and addr');
  });

  it('names the option of a value of the wrong type, nested keys included', async () => {
    const refused = (config: Record<string, unknown>) =>
      RedisQueue.connect('types', { ...testRedisConfig(), prefix: uniquePrefix('types'), ...config }).catch((err: Error) => err.message);
    expect(await refused({ connectTimeout: '5s' })).toBe('connect: connectTimeout must be an integer from 1 to 2147483647, got "5s"');
    expect(await refused({ eventsMaxLen: 0 })).toBe('connect: eventsMaxLen must be an integer from 1 to 9007199254740991, got 0');
    expect(await refused({ username: 7 })).toBe('connect: username must be a string, got a number');
    expect(await refused({ keepCompleted: { agee: 60_000 } })).toMatch(/^connect: keepCompleted: unknown option 'agee' \(did you mean 'age'\?\); valid options: age, count$/);
    expect(await refused({ maxAttempts: 5 })).toContain("unknown option 'maxAttempts' (did you mean 'maxRetries'?)");
  });
});

describe('queue() settings, RedisWorker and module handlers', () => {
  let queue: RedisQueue;
  let cleanup: () => Promise<void>;
  beforeAll(async () => ({ queue, cleanup } = await freshQueue('unknown-options')));
  afterAll(async () => cleanup());

  it('queue() takes only the per-queue settings', () => {
    expect(refusal(() => queue.queue('other', { keepComplete: { count: 1 } } as never))).toMatch(
      /^queue: unknown option 'keepComplete' \(did you mean 'keepCompleted'\?\); valid options: maxRetries, /,
    );
    // The prefix belongs to the connection: a sibling queue cannot have its own.
    expect(refusal(() => queue.queue('other', { prefix: 'elsewhere' } as never))).toContain("unknown option 'prefix'");
  });

  it('RedisWorker names a misspelled key and the flexq.toml name of numWorkers, and runs nothing', () => {
    const message = refusal(() => new RedisWorker(queue, { numWorker: 8, concurrency: 8 } as never));
    expect(message).toBe(
      "RedisWorker: unknown option 'numWorker' (did you mean 'numWorkers'?), unknown option 'concurrency' (did you mean 'numWorkers'?); " +
        'valid options: numWorkers, pollTime, visibilityTimeout, jobTimeout, isolation, killAfter, logger',
    );
    expect(refusal(() => new RedisWorker(queue, { logger: console } as never))).toBe('RedisWorker: logger must be a pino logger (with a child() method)');
    expect(refusal(() => new RedisWorker(queue, 4 as never))).toBe('RedisWorker: options must be an object, got a number');
    expect(new RedisWorker(queue, { numWorkers: 8 }).numWorkers).toBe(8);
  });

  it('stop() and setRateLimit name a misspelled key, and stop() a bad timeout', async () => {
    const worker = new RedisWorker(queue);
    const stopRefusal = (options: unknown) => worker.stop(options as never).then(() => 'resolved', (err: ValidationError) => err.message);
    expect(await stopRefusal({ timout: 5 })).toBe("stop: unknown option 'timout' (did you mean 'timeout'?); valid options: timeout");
    expect(await stopRefusal({ timeout: -1 })).toBe('stop: timeout must be a number of milliseconds from 0 to 1000000000000, got -1');
    expect(await stopRefusal({ timeout: 'x' })).toMatch(/^stop: timeout must be a number of milliseconds/);
    expect(await stopRefusal({ timeout: 0 })).toBe('resolved');
    await expect(queue.setRateLimit({ max: 1, pr: 1000 } as never)).rejects.toThrow("setRateLimit: unknown option 'pr' (did you mean 'per'?); valid options: max, per");
    expect(await queue.getRateLimit()).toBeNull();
  });

  it('a module handler spec refuses a misspelled key', () => {
    const worker = new RedisWorker(queue);
    expect(refusal(() => worker.registerHandler('t', { module: './h.js', isolate: 'thread' } as never))).toContain(
      "registerHandler: unknown option 'isolate' (did you mean 'isolation'?)",
    );
  });

  it('a schedule refuses misspelled keys of its timing and of its job, and stores nothing', async () => {
    await expect(queue.schedule('a', { cron: '0 3 * * *', timezone: 'Europe/Berlin' } as never, { type: 'r' })).rejects.toThrow(
      "schedule: timing: unknown option 'timezone'",
    );
    // Named before the timing's values are checked: not "timing needs exactly one of cron and every".
    await expect(queue.schedule('c', { evry: 60_000 } as never, { type: 'r' })).rejects.toThrow(
      /^schedule: timing: unknown option 'evry' \(did you mean 'every'\?\); valid options: cron, tz, every$/,
    );
    await expect(queue.schedule('b', { every: 60_000 }, { type: 'r', priorty: 5 } as never)).rejects.toThrow(
      "schedule: job: unknown option 'priorty' (did you mean 'priority'?)",
    );
    expect(await queue.listSchedules()).toEqual([]);
  });
});

describe('built-in handlers', () => {
  it('webhookJobHandler names unknown keys and values of the wrong type', () => {
    expect(refusal(() => webhookJobHandler({ signingSecrets: 's' } as never))).toMatch(
      /^webhookJobHandler: unknown option 'signingSecrets' \(did you mean 'signingSecret'\?\); valid options: timeout, headers, /,
    );
    expect(refusal(() => webhookJobHandler({ timeout: '5s' } as never))).toBe('webhookJobHandler: timeout must be an integer from 1 to 2147483647, got "5s"');
    expect(refusal(() => webhookJobHandler({ blockPrivateAddresses: 'yes' } as never))).toBe('webhookJobHandler: blockPrivateAddresses must be a boolean, got a string');
  });

  it('emailJobHandler names an unknown SMTP option; a ready transport is taken as it is', () => {
    expect(refusal(() => emailJobHandler({ hots: 'smtp.example.com' } as never))).toContain("emailJobHandler: unknown option 'hots' (did you mean 'host'?)");
    expect(refusal(() => emailJobHandler({ host: 'h', user: 'u' } as never))).toContain("unknown option 'user' (did you mean 'auth'?)");
    // The pool's counts go to nodemailer as they are, where a string would stall the pool.
    expect(refusal(() => emailJobHandler({ host: 'h', pool: true, maxConnections: '2' } as never))).toBe(
      'emailJobHandler: maxConnections must be an integer from 1 to 2147483647, got "2"',
    );
    // The usual SMTP settings are checked too: nodemailer would fail each job later instead.
    expect(refusal(() => emailJobHandler({ host: 5, port: 'x' } as never))).toBe(
      'emailJobHandler: port must be an integer from 1 to 65535, got "x"; host must be a string, got a number',
    );
    expect(refusal(() => emailJobHandler({ host: 'h', secure: 'yes' } as never))).toBe('emailJobHandler: secure must be a boolean, got a string');
    expect(refusal(() => emailJobHandler({ host: 'h', connectionTimeout: -1 }))).toBe('emailJobHandler: connectionTimeout must be an integer from 0 to 2147483647, got -1');
    const transport = { sendMail: async () => ({}), extra: true };
    expect(() => emailJobHandler(transport)).not.toThrow();
  });
});

describe('nearestName', () => {
  it('suggests a name only when it is a plausible typo', () => {
    expect(nearestName('numworkers', ['numWorkers', 'pollTime'])).toBe('numWorkers');
    expect(nearestName('maxRetry', ['maxRetries', 'retryDelays'])).toBe('maxRetries');
    expect(nearestName('colour', ['numWorkers', 'pollTime'])).toBeUndefined();
  });
});

describe('per-call options of bulk operations and pages', () => {
  let queue: RedisQueue;
  let cleanup: () => Promise<void>;
  beforeAll(async () => ({ queue, cleanup } = await freshQueue('unknown-call-options')));
  afterAll(async () => cleanup());

  it('a misspelled clean option removes nothing: the call is refused before it runs', async () => {
    const job = await queue.push({ type: 'kept', payload: {} });
    await queue.cancelJob(job.id);
    await expect(queue.clean('cancelled', { olderThen: 86_400_000 } as never)).rejects.toThrow(
      "clean: unknown option 'olderThen' (did you mean 'olderThan'?); valid options: onProgress, chunkSize, olderThan, limit",
    );
    expect(await queue.getJobStatus(job.id)).toBe('cancelled');
    await expect(queue.retryJobs('cancelled', { types: 'kept' } as never)).rejects.toThrow("retryJobs: unknown option 'types' (did you mean 'type'?)");
    expect(await queue.getJobStatus(job.id)).toBe('cancelled');
  });

  it('pages and history name a misspelled option', async () => {
    await expect(queue.listJobs('pending', { offest: 20 } as never)).rejects.toThrow("listJobs: unknown option 'offest' (did you mean 'offset'?)");
    await expect(queue.pageJobs('pending', { limt: 5 } as never)).rejects.toThrow("listJobs: unknown option 'limt' (did you mean 'limit'?)");
    await expect(queue.getHistory({ minute: 5 } as never)).rejects.toThrow("getHistory: unknown option 'minute' (did you mean 'minutes'?)");
  });
});


describe('a job handed in', () => {
  let queue: RedisQueue;
  let cleanup: () => Promise<void>;
  beforeAll(async () => ({ queue, cleanup } = await freshQueue('unknown-job-keys')));
  afterAll(async () => cleanup());

  it('names a misspelled key instead of storing the job without it', async () => {
    await expect(queue.push({ type: 't', priorty: 5 } as never)).rejects.toThrow("push: unknown option 'priorty' (did you mean 'priority'?); valid options: type, payload, maxAttempts, priority, timeout, uniqueKey, uniqueFor, group");
    // A whole batch is refused for one bad job: nothing of it is stored.
    // The job at fault is named by its place in the batch.
    await expect(queue.pushBulk([{ type: 't' }, { type: 't', uniquekey: 'k' } as never])).rejects.toThrow("pushBulk: the job at index 1 of the batch: unknown option 'uniquekey' (did you mean 'uniqueKey'?)");
    const dispatcher = new JobDispatcher(queue);
    // A dispatch's options are JobOptions: named as dispatch's, with delay and queue among them.
    await expect(dispatcher.dispatch('t', {}, { priorty: 3 } as never)).rejects.toThrow("dispatch: unknown option 'priorty' (did you mean 'priority'?); valid options: maxAttempts, priority, delay, queue, timeout, uniqueKey, uniqueFor, group");
    await expect(dispatcher.dispatch('t', {}, { dela: 5 } as never)).rejects.toThrow("dispatch: unknown option 'dela' (did you mean 'delay'?)");
    // type and payload are arguments, not options: given as options they were dropped.
    await expect(dispatcher.dispatch('t', {}, { type: 'y' } as never)).rejects.toThrow("dispatch: unknown option 'type'");
    await expect(dispatcher.dispatchDelayed('t', {}, 10, { payload: { a: 1 } } as never)).rejects.toThrow("dispatchDelayed: unknown option 'payload'");
    await expect(dispatcher.dispatch('t', {}, null as never)).rejects.toThrow(new ValidationError('dispatch', 'options must be an object of job options, got null'));
    await expect(dispatcher.dispatchBulk([{ type: 't', payload: {}, options: { groop: 'a' } as never }])).rejects.toThrow("dispatchBulk: unknown option 'groop' (did you mean 'group'?)");
    expect((await queue.getStats()).pendingJobs).toBe(0);
    // A job read back is not a new job: its id and status would be dropped, so it is refused.
    await expect(queue.push({ type: 't', id: 'mine' } as never)).rejects.toThrow("push: unknown option 'id'");
    // Not a job at all: refused by name as one, not a TypeError from reading its keys.
    for (const notAJob of [null, undefined]) {
      await expect(queue.push(notAJob as never)).rejects.toThrow(new ValidationError('push', `job type must be a non-empty string of at most 200 characters, got undefined`));
      await expect(queue.pushBulk([notAJob as never])).rejects.toThrow(new ValidationError('pushBulk', 'the job at index 0 of the batch: job must be an object'));
    }
    expect((await queue.getStats()).pendingJobs).toBe(0);
  });

  it('given alone takes no delay of its own: push would have run it at once', async () => {
    await expect(queue.push({ type: 't', delay: 60_000 } as never)).rejects.toThrow('push: a job given alone takes no delay: pass it to pushDelayed');
    expect((await queue.getStats()).pendingJobs).toBe(0);
    const [later] = await queue.pushBulk([{ type: 't', delay: 60_000 }]);
    expect(later!.runAt).toBeInstanceOf(Date);
  });
});
