/**
 * `[queues.<name>] rateLimit` in flexq.toml: parsed with clear errors, applied by a starting host
 * (and lifted where the file has none, as `groupConcurrency` is), and shown by `flexq stats`.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { RedisQueue } from '../../src/index.js';
import { formatStats, statsJson } from '../../src/cli/format.js';
import { deletePrefix, REDIS_URL, uniquePrefix } from '../helpers.js';
import { errorOf, parse } from './config-helpers.js';
import { makeStats } from './fixtures.js';
import { startHost, stopHosts } from './host-helpers.js';

describe('rateLimit in flexq.toml', () => {
  it('takes max and a duration', () => {
    const config = parse('[queues.q]\nrateLimit = { max = 100, per = "1s" }\n[queues.r]\n');
    expect(config.queues[0]!.rateLimit).toEqual({ max: 100, per: 1_000 });
    expect(config.queues[1]!.rateLimit).toBeUndefined();
  });

  it.each([
    ['rateLimit = { max = 0, per = "1s" }', 'queues.q.rateLimit.max', 'expected an integer from 1 to 1000000'],
    ['rateLimit = { max = 5, per = 0 }', 'queues.q.rateLimit.per', 'expected a duration from 1 ms to 31536000000 ms (365 days)'],
    ['rateLimit = { max = 5 }', 'queues.q.rateLimit.per', ''],
    ['rateLimit = { max = 5, per = "1s", burst = 2 }', 'queues.q.rateLimit.burst', 'unknown key; expected one of: max, per'],
    ['rateLimit = { max = 3, per = "1s" }\nshards = 4', 'queues.q.rateLimit.max', 'expected at least one per shard'],
  ])('%s is rejected naming %s', (line, key, expected) => {
    const error = errorOf(`[queues.q]\n${line}\n`);
    expect(error.issues[0]).toMatchObject({ path: key, line: 2 });
    expect(error.message).toContain(expected);
  });
});

describe('a starting host', () => {
  let prefix: string;
  beforeEach(() => (prefix = uniquePrefix('host-rate')));
  afterEach(async () => {
    await stopHosts();
    await deletePrefix(prefix);
  });

  it('stores the file\'s rate limit and group cap, and lifts those the file no longer has', async () => {
    const config = (limit: string) => `
[redis]
url = "${REDIS_URL}"
prefix = "${prefix}"
[queues.limited]
${limit}
[queues.free]
[metrics]
enabled = false
`;
    const first = await startHost(config('rateLimit = { max = 10, per = "2s" }\ngroupConcurrency = 2'));
    const [limited, free] = first.queues as [RedisQueue, RedisQueue];
    expect(await limited.getRateLimit()).toMatchObject({ max: 10, per: 2_000 });
    expect((await limited.getOverview()).groupConcurrency).toBe(2);
    expect((await free.getOverview()).groupConcurrency).toBeNull();
    await free.setRateLimit({ max: 1, per: 1_000 });
    await free.setGroupConcurrency(3);
    await stopHosts();
    const second = await startHost(config(''));
    for (const queue of second.queues) {
      expect(await queue.getRateLimit()).toBeNull();
      expect((await queue.getOverview()).groupConcurrency).toBeNull();
    }
  });
});

describe('flexq stats', () => {
  const limit = { max: 100, per: 1_000, started: 100, opensIn: 250 };

  it('adds a LIMIT column when a queue has a limit, and says "limited" while it holds the queue', () => {
    const text = formatStats([
      { queue: 'a', stats: makeStats(), paused: false, rateLimit: limit, rateLimited: true },
      { queue: 'b', stats: makeStats(), paused: false },
    ], { color: false });
    const [header, a, b] = text.split('\n');
    expect(header).toMatch(/CANCELLED +LIMIT$/);
    expect(a).toMatch(/^a +limited .* 100\/1s$/);
    expect(b).toMatch(/^b +running .* -$/);
    expect(formatStats([{ queue: 'b', stats: makeStats(), paused: false }], { color: false })).not.toContain('LIMIT');
  });

  it('JSON carries the limit and whether it holds the queue', () => {
    expect(JSON.parse(statsJson([{ queue: 'a', stats: makeStats(), paused: false, rateLimit: limit, rateLimited: true }]))).toEqual({
      a: { ...makeStats(), paused: false, rateLimit: limit, rateLimited: true },
    });
  });
});
