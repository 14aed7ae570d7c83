/**
 * `[queues.<name>] groupConcurrency` in flexq.toml: parsed with clear errors and shown by `flexq
 * stats --json` (a starting host applies it: rate-limit-config.test.ts).
 */
import { describe, expect, it } from 'vitest';
import { statsJson } from '../../src/cli/format.js';
import { errorOf, parse } from './config-helpers.js';
import { makeStats } from './fixtures.js';

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
