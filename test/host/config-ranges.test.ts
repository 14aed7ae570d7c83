import { describe, expect, it } from 'vitest';
import { parseCommandLine } from '../../src/cli/cli.js';
import { LIMITS } from '../../src/config/limits.js';
import { errorOf, parse } from './config-helpers.js';

const TIMER = 'expected a duration from 1 ms to 2147483647 ms (about 24.9 days)';

describe('config ranges: durations that become timers stay within 2^31−1 ms', () => {
  it.each([
    ['shutdownTimeout = "99999999999h"', 'shutdownTimeout', 'expected a duration from 0 ms to 2147483647 ms (about 24.9 days)'],
    ['[queues.q]\npollTime = "25d"', 'queues.q.pollTime', TIMER],
    ['[queues.q]\nvisibilityTimeout = "30d"', 'queues.q.visibilityTimeout', TIMER],
    ['[queues.q]\ntimeout = "30d"', 'queues.q.timeout', TIMER],
    ['[queues.q]\ntimeout = 0', 'queues.q.timeout', TIMER],
    ['[redis]\nconnectTimeout = 0', 'redis.connectTimeout', TIMER],
    ['[webhook]\ntimeout = "100d"', 'webhook.timeout', TIMER],
  ])('%s is rejected naming %s and the range', (source, key, expected) => {
    const error = errorOf(source);
    expect(error.issues[0]).toMatchObject({ path: key });
    expect(error.message).toContain(`${key}: ${expected}, got`);
  });

  it('accepts the largest timer and a 30-day retry delay, but not retry delays over a year', () => {
    const config = parse('shutdownTimeout = 2147483647\n[queues.q]\nretryDelays = ["1s", "30d"]\ntimeout = 2147483647\n');
    expect(config.shutdownTimeout).toBe(LIMITS.maxTimerMs);
    expect(config.queues[0]).toMatchObject({ retryDelays: [1_000, 30 * 86_400_000], timeout: LIMITS.maxTimerMs });
    const error = errorOf('[queues.q]\nretryDelays = ["1s", "366d"]\n');
    expect(error.issues[0]).toMatchObject({ path: 'queues.q.retryDelays.1', line: 2 });
    expect(error.message).toContain('expected a duration from 0 ms to 31536000000 ms (365 days), got "366d"');
  });

  it('caps concurrency', () => {
    expect(errorOf('[queues.q]\nconcurrency = 99999999999999').message).toContain(
      `queues.q.concurrency: expected an integer from 1 to ${LIMITS.maxConcurrency}`,
    );
    expect(parse('[queues.q]\nconcurrency = 10000').queues[0]?.concurrency).toBe(10_000);
  });
});

describe('command-line ranges', () => {
  it('--delay is at most a year, --interval 10 ms to 2^31−1 ms, --limit 1 to 10000; each names the flag', () => {
    const cases: [string[], RegExp][] = [
      [['dispatch', 'demo', '--delay', '366d'], /option '--delay <duration>' argument '366d' is invalid\. expected a duration from 0 ms to 31536000000 ms \(365 days\)/],
      [['demo', '--interval', '25d'], /option '--interval <duration>' argument '25d' is invalid\. expected a duration from 10 ms to 2147483647 ms/],
      [['demo', '--interval', '0'], /option '--interval <duration>' argument '0' is invalid\. expected a duration from 10 ms to 2147483647 ms/],
      [['demo', '--interval', '9ms'], /option '--interval <duration>' argument '9ms' is invalid\. expected a duration from 10 ms/],
      [['jobs', '--limit', '100000'], /option '--limit <n>' argument '100000' is invalid\. expected an integer from 1 to 10000/],
      [['jobs', '--limit', '0'], /option '--limit <n>' argument '0' is invalid\. expected an integer from 1 to 10000/],
    ];
    for (const [argv, message] of cases) {
      const parsed = parseCommandLine(argv);
      expect(parsed.kind, argv.join(' ')).toBe('usage-error');
      expect(parsed.kind === 'usage-error' ? parsed.message : '').toMatch(message);
    }
    expect(parseCommandLine(['dispatch', 'demo', '--delay', '30d'])).toMatchObject({ kind: 'dispatch', delay: 30 * 86_400_000 });
    expect(parseCommandLine(['jobs', '--limit', '10000'])).toMatchObject({ kind: 'jobs', limit: 10_000 });
    expect(parseCommandLine(['demo', '--interval', '10ms'])).toMatchObject({ kind: 'demo', interval: 10 });
  });
});
