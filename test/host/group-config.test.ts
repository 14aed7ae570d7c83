/**
 * `[queues.<name>] groupConcurrency` in flexq.toml: parsed with clear errors, applied by a starting
 * host (and lifted where the file has none), and shown by `flexq stats --json`.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { RedisQueue } from '../../src/index.js';
import { statsJson } from '../../src/cli/format.js';
import { deletePrefix, REDIS_URL, uniquePrefix } from '../helpers.js';
import { errorOf, parse } from './config-helpers.js';
import { makeStats } from './fixtures.js';
import { startHost, stopHosts } from './host-helpers.js';

describe('groupConcurrency in flexq.toml', () => {
  it('takes a whole number', () => {
    const config = parse('[queues.q]\ngroupConcurrency = 3\n[queues.r]\n');
    expect(config.queues[0]!.groupConcurrency).toBe(3);
    expect(config.queues[1]!.groupConcurrency).toBeUndefined();
  });

  it.each([['0'], ['2.5'], ['"2"']])('groupConcurrency = %s is rejected naming the key', (value) => {
    const error = errorOf(`[queues.q]\ngroupConcurrency = ${value}\n`);
    expect(error.issues[0]).toMatchObject({ path: 'queues.q.groupConcurrency', line: 2 });
  });
});

describe('a starting host', () => {
  let prefix: string;
  beforeEach(() => (prefix = uniquePrefix('host-groups')));
  afterEach(async () => {
    await stopHosts();
    await deletePrefix(prefix);
  });

  it("stores the file's group cap and lifts one the file no longer has", async () => {
    const config = (cap: string) => `
[redis]
url = "${REDIS_URL}"
prefix = "${prefix}"
[queues.capped]
${cap}
[queues.free]
[metrics]
enabled = false
`;
    const first = await startHost(config('groupConcurrency = 2'));
    const [capped, free] = first.queues as [RedisQueue, RedisQueue];
    expect((await capped.getOverview()).groupConcurrency).toBe(2);
    expect((await free.getOverview()).groupConcurrency).toBeNull();
    await stopHosts();
    const second = await startHost(config(''));
    for (const queue of second.queues) expect((await queue.getOverview()).groupConcurrency).toBeNull();
  });
});

describe('flexq stats --json', () => {
  it('carries the group cap when a queue has one', () => {
    const json = JSON.parse(statsJson([
      { queue: 'a', stats: makeStats(), paused: false, groupConcurrency: 2 },
      { queue: 'b', stats: makeStats(), paused: false },
    ]));
    expect(json.a.groupConcurrency).toBe(2);
    expect(json.b).not.toHaveProperty('groupConcurrency');
  });
});
