/**
 * `[schedules]` of flexq.toml: checked with the line of a mistake, and applied at host start (added,
 * replaced, removed when the file drops them) without touching schedules defined in code.
 */
import { afterEach, beforeEach, describe, expect, test } from 'vitest';
import { RedisQueue } from '../../src/index.js';
import { Writable } from 'node:stream';
import { pino, type Logger } from 'pino';
import { Redis } from 'ioredis';
import { loadScripts } from '../../src/engine/library.js';
import { deletePrefix, freePort, REDIS_URL, startPrivateRedis, uniquePrefix, waitFor } from '../helpers.js';
import { errorOf, parse } from './config-helpers.js';
import { startHost, stopHosts } from './host-helpers.js';

/** A logger whose JSON lines the test reads. */
function capturedLogger(): { lines: { level: number; msg: string }[]; logger: Logger } {
  const lines: { level: number; msg: string }[] = [];
  const logger = pino({ level: 'info' }, new Writable({
    write(chunk: Buffer, _encoding, done) {
      for (const text of chunk.toString('utf8').split('\n')) if (text !== '') lines.push(JSON.parse(text));
      done();
    },
  }));
  return { lines, logger };
}

describe('[schedules] in flexq.toml', () => {
  test('resolves each schedule with its queue (the first configured one unless given)', () => {
    const config = parse(`
[queues.main]
[queues.reports]
[schedules.nightly]
queue = "reports"
cron = "0 3 * * *"
tz = "Europe/Berlin"
type = "report"
payload = { kind = "daily" }
priority = 5
[schedules.tick]
every = "30s"
type = "ping"
`);
    expect(config.schedules).toEqual([
      { name: 'nightly', queue: 'reports', timing: { cron: '0 3 * * *', tz: 'Europe/Berlin' }, job: { type: 'report', payload: { kind: 'daily' }, priority: 5 } },
      { name: 'tick', queue: 'main', timing: { every: 30_000 }, job: { type: 'ping' } },
    ]);
  });

  test.each([
    ['[schedules.x]\ncron = "0 25 * * *"\ntype = "a"', /flexq\.toml:2: schedules\.x\.cron: invalid cron "0 25 \* \* \*"/],
    ['[schedules.x]\ntype = "a"\nevery = "500ms"', /^flexq\.toml:3: schedules\.x\.every: every must be from 1000 ms/],
    ['[schedules.x]\ncron = "0 3 * * *"\ntz = "Mars/Base"\ntype = "a"', /^flexq\.toml:3: schedules\.x\.tz: unknown time zone "Mars\/Base"; expected an IANA name such as "Europe\/Berlin" or "UTC"$/],
    ['[schedules.x]\ntype = "a"', /schedules\.x: timing needs exactly one of cron and every/],
    ['[schedules.x]\nevery = "1s"\ncron = "* * * * *"\ntype = "a"', /exactly one of cron and every/],
    ['[schedules.x]\nevery = "1s"\ntype = "a"\nqueue = "nope"', /flexq\.toml:4: schedules\.x\.queue: expected one of the configured queues: default/],
    ['[schedules.x]\nevery = "1s"', /schedules\.x\.type/],
    ['[schedules."bad name"]\nevery = "1s"\ntype = "a"', /schedules.*expected 1 to 100 letters/],
  ])('refuses %j naming the key', (toml, message) => {
    expect(errorOf(toml).message).toMatch(message);
  });
});

describe('the host applies [schedules] at start', () => {
  let prefix: string;
  beforeEach(() => {
    prefix = uniquePrefix('host-schedules');
  });
  afterEach(async () => {
    await stopHosts();
    await deletePrefix(prefix);
  });

  const config = (schedules: string) => `
[redis]
url = "${REDIS_URL}"
prefix = "${prefix}"
[queues.main]
pollTime = "200ms"
[handlers.ping]
builtin = "sleep"
options = { ms = 0 }
[metrics]
enabled = false
${schedules}`;

  test('adds, keeps, replaces and removes file schedules; code-defined ones stay', async () => {
    const queue = await RedisQueue.connect('main', { url: REDIS_URL, prefix });
    try {
      await queue.schedule('from-code', { every: 3_600_000 }, { type: 'ping' });
      await startHost(config('[schedules.a]\nevery = "1h"\ntype = "ping"\n[schedules.b]\ncron = "0 3 * * *"\ntype = "ping"'));
      await stopHosts();
      const first = await queue.listSchedules();
      expect(first.map((s) => [s.name, s.source])).toEqual([['a', 'config'], ['b', 'config'], ['from-code', 'code']]);

      await startHost(config('[schedules.a]\nevery = "1h"\ntype = "ping"\n[schedules.c]\nevery = "2h"\ntype = "ping"'));
      await stopHosts();
      const second = await queue.listSchedules();
      expect(second.map((s) => s.name)).toEqual(['a', 'c', 'from-code']);
      // Unchanged in the file: its next run was kept, not recomputed from the second start.
      expect(second[0]!.nextRunAt).toEqual(first[0]!.nextRunAt);

      await startHost(config('[schedules.a]\nevery = "2h"\ntype = "ping"'));
      await stopHosts();
      const third = await queue.listSchedules();
      expect(third.map((s) => [s.name, s.every ?? s.cron])).toEqual([['a', 7_200_000], ['from-code', 3_600_000]]);
    } finally {
      await queue.close();
    }
  });

  test('a console (no workers) leaves the schedules and rate limit of a queue it only found in Redis', async () => {
    const other = await RedisQueue.connect('other', { url: REDIS_URL, prefix });
    try {
      // Another host's file gave `other` a schedule and a limit; the queue registered itself on push.
      await startHost(config('[queues.other]\nrateLimit = { max = 5, per = "1s" }\n[schedules.nightly]\nqueue = "other"\ncron = "0 3 * * *"\ntype = "ping"'));
      await stopHosts();
      await other.push({ type: 'ping' });
      await startHost(config(''), { noWorkers: true });
      await stopHosts();
      expect((await other.listSchedules()).map((s) => [s.name, s.source])).toEqual([['nightly', 'config']]);
      expect(await other.getRateLimit()).toMatchObject({ max: 5, per: 1_000 });
    } finally {
      await other.close();
    }
  });

  test('the host\'s workers fire a file schedule', async () => {
    await startHost(config('[schedules.tick]\nevery = "1s"\ntype = "ping"'));
    const queue = await RedisQueue.connect('main', { url: REDIS_URL, prefix });
    try {
      await waitFor('a scheduled job completed', async () => (await queue.getStats()).completedJobs >= 1, { timeoutMs: 10_000 });
    } finally {
      await queue.close();
    }
  });

  test('a Redis that comes back without its data gets the file\'s schedules and limits again, and the host says so', async () => {
    const port = await freePort();
    let redis = await startPrivateRedis(port);
    const { lines, logger } = capturedLogger();
    const toml = config('[schedules.tick]\nevery = "1s"\ntype = "ping"').replace(`url = "${REDIS_URL}"`, `url = "${redis.url}"`)
      .replace('[queues.main]\n', '[queues.main]\nrateLimit = { max = 50, per = "1s" }\n');
    await startHost(toml, { logger });
    const queue = await RedisQueue.connect('main', { url: redis.url, prefix });
    try {
      await waitFor('a scheduled job completed', async () => (await queue.getStats()).completedJobs >= 1, { timeoutMs: 10_000 });
      // Restarted without persistence: the schedule, the limit and flexq's functions are gone.
      await redis.stop();
      redis = await startPrivateRedis(port);
      await waitFor('a scheduled job completed after the restart', async () => (await queue.getStats().catch(() => null))?.completedJobs ?? 0, { timeoutMs: 20_000 });
      expect((await queue.listSchedules()).map((s) => [s.name, s.source])).toEqual([['tick', 'config']]);
      expect(await queue.getRateLimit()).toMatchObject({ max: 50, per: 1_000 });
      expect(lines.filter((line) => line.level === 40 && /came back without its data/.test(line.msg))).toHaveLength(1);
    } finally {
      await stopHosts();
      await queue.close();
      await redis.stop();
    }
  }, 40_000);

  test('a host without workers notices a restart by the run id, when another process reloaded flexq\'s functions first', async () => {
    const port = await freePort();
    let redis = await startPrivateRedis(port);
    const { lines, logger } = capturedLogger();
    const toml = config('[schedules.tick]\nevery = "1h"\ntype = "ping"').replace(`url = "${REDIS_URL}"`, `url = "${redis.url}"`);
    await startHost(toml, { logger, noWorkers: true });
    const raw = new Redis(redis.url);
    try {
      const schedules = `${prefix}:{main}:schedules`;
      expect(await raw.hexists(schedules, 'tick')).toBe(1);
      raw.disconnect();
      await redis.stop();
      redis = await startPrivateRedis(port);
      const other = new Redis(redis.url);
      // Another process (a producer) is first to load flexq's functions: this one never misses them.
      await loadScripts(other);
      await waitFor('the schedule written again', async () => (await other.hexists(schedules, 'tick')) === 1, { timeoutMs: 15_000 });
      other.disconnect();
      expect(lines.filter((line) => line.level === 40 && /Redis restarted or another primary took over/.test(line.msg))).toHaveLength(1);
    } finally {
      raw.disconnect();
      await stopHosts();
      await redis.stop();
    }
  }, 40_000);
});
