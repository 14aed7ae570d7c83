/** What the executable says when something is wrong: always "flexq: …", naming the bad thing; exit 2 for usage, 1 otherwise. */
import { access, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { RedisQueue } from '../../src/index.js';
import { deletePrefix, freePort, rawClient, REDIS_URL, startPrivateRedis, uniquePrefix } from '../helpers.js';
import { childEnv, FlexqProcess, redisEnv, runFlexq, tempFolder } from './helpers.js';


describe('flexq error messages', () => {
  let dir: string;
  let remove: () => Promise<void>;
  const prefix = uniquePrefix('exe-errors');
  beforeEach(async () => {
    ({ dir, remove } = await tempFolder('[handlers.demo]\nbuiltin = "sleep"\n[metrics]\nenabled = false\n'));
  });
  afterEach(async () => {
    await remove();
    await deletePrefix(prefix);
  });

  const flexq = (args: string[], env = redisEnv(prefix)) => runFlexq(args, { env, cwd: dir });
  const withConfig = async (toml: string, args: string[]) => {
    await writeFile(join(dir, 'flexq.toml'), toml);
    return flexq(args);
  };

  it('help for an unknown command names it; exit 2', async () => {
    const result = await flexq(['help', 'delete'], childEnv());
    expect(result).toMatchObject({ code: 2, stdout: '' });
    expect(result.stderr).toMatch(/^flexq: unknown command 'delete'; commands: init, dispatch/);
  });

  it('an unknown command with --help is the same unknown-command error; exit 2', async () => {
    for (const name of ['retry-all', 'foo']) {
      const result = await flexq([name, '--help'], childEnv());
      expect(result).toMatchObject({ code: 2, stdout: '' });
      expect(result.stderr).toMatch(new RegExp(`^flexq: unknown command '${name}'; commands: init, dispatch.*\nRun 'flexq --help' for usage\.\n$`));
    }
  });

  it('--headless with a command it does not apply to is a usage error; exit 2, nothing done', async () => {
    const cases: [string[], string][] = [
      [['console', '--headless'], "flexq: 'console' opens the console; it cannot be --headless"],
      [['stats', '--headless'], "flexq: --headless applies to the worker host (`flexq --headless`), not to 'stats'"],
      [['init', '--headless'], "flexq: --headless applies to the worker host (`flexq --headless`), not to 'init'"],
      [['stats', '--no-workers'], "flexq: --no-workers applies to the console (`flexq --no-workers`), not to 'stats'"],
    ];
    for (const [args, message] of cases) {
      const result = await flexq([...args, '--config', 'new.toml']);
      expect(result).toMatchObject({ code: 2, stdout: '' });
      expect(result.stderr.startsWith(message), result.stderr).toBe(true);
    }
    await expect(access(join(dir, 'new.toml'))).rejects.toThrow(); // init wrote nothing
  });

  it('the console without a terminal says to use --headless and starts nothing; exit 2', async () => {
    for (const args of [[], ['--no-workers'], ['console']]) {
      const result = await flexq(args);
      expect(result).toMatchObject({ code: 2, stdout: '' });
      expect(result.stderr).toMatch(/^flexq: the console needs a terminal, and stdin is not one; run `flexq --headless`/);
    }
    const raw = rawClient();
    expect(await raw.exists(`${prefix}:format`, `${prefix}:queues`)).toBe(0); // no host marked or registered anything
    raw.disconnect();
  });

  it('jobs --limit outside 1..10000 is a usage error naming the flag', async () => {
    for (const limit of ['0', '100000']) {
      const result = await flexq(['jobs', '--limit', limit]);
      expect(result.code).toBe(2);
      expect(result.stderr).toContain(`flexq: option '--limit <n>' argument '${limit}' is invalid. expected an integer from 1 to 10000`);
    }
  });

  it('demo --interval below 10 ms is a usage error, and nothing is dispatched', async () => {
    const result = await flexq(['demo', '--interval', '0', '--count', '3']);
    expect(result).toMatchObject({ code: 2, stdout: '' });
    expect(result.stderr).toBe("flexq: option '--interval <duration>' argument '0' is invalid. expected a duration from 10 ms to 2147483647 ms (about 24.9 days)\nRun 'flexq demo --help' for usage.\n");
    const raw = rawClient();
    expect(await raw.exists(`${prefix}:queues`)).toBe(0);
    raw.disconnect();
  });

  it('durations that would overflow a timer are refused naming the key and the range', async () => {
    const result = await withConfig('shutdownTimeout = "99999999999h"\n[queues.default]\npollTime = "30d"\n[redis]\nconnectTimeout = 0\n', ['--headless']);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('flexq: flexq.toml:1: shutdownTimeout: expected a duration from 0 ms to 2147483647 ms (about 24.9 days), got "99999999999h"');
    expect(result.stderr).toContain('flexq: flexq.toml:3: queues.default.pollTime: expected a duration from 1 ms to 2147483647 ms');
    expect(result.stderr).toContain('flexq: flexq.toml:5: redis.connectTimeout: expected a duration from 1 ms to 2147483647 ms');
  });

  it('a payload over the queue\'s maxPayloadBytes is refused naming the limit, and nothing is stored', async () => {
    const big = JSON.stringify({ text: 'x'.repeat(200) });
    const result = await withConfig('[queues.default]\nmaxPayloadBytes = 100\n[handlers.demo]\nbuiltin = "sleep"\n', ['dispatch', 'demo', big]);
    expect(result.code).toBe(2);
    expect(result.stderr).toBe("flexq: cannot dispatch the job: payload is 211 bytes of JSON, over the limit of 100 (maxPayloadBytes)\nRun 'flexq dispatch --help' for usage.\n");
    expect(JSON.parse((await flexq(['stats', '--json'])).stdout).default.pendingJobs).toBe(0);
  });

  it('options the engine refuses are bad arguments: exit 2, naming the problem', async () => {
    const uniqueFor = await flexq(['dispatch', 'demo', '{}', '--unique-for', '1h']);
    expect(uniqueFor.code).toBe(2);
    expect(uniqueFor.stderr).toMatch(/^flexq: cannot dispatch the job: .*uniqueFor needs a uniqueKey/);
    const longType = await flexq(['dispatch', 't'.repeat(300), '{}']);
    expect(longType.code).toBe(2);
    expect(longType.stderr).toMatch(/^flexq: cannot dispatch the job: .*at most 200 characters/);
  });

  it('a missing TLS CA file is a config error naming flexq.toml, the key and its line; exit 1', async () => {
    const result = await withConfig('[redis]\naddr = "127.0.0.1:6379"\ntls = { caFile = "/nonexistent-flexq-ca.pem" }\n', ['stats']);
    expect(result).toMatchObject({ code: 1, stdout: '' });
    expect(result.stderr).toBe('flexq: flexq.toml:3: redis.tls.caFile: cannot read the file /nonexistent-flexq-ca.pem: no such file\n');
  });

  it('config errors say what was wrong in plain words, one line each with file, key and line', async () => {
    const result = await withConfig('[queues.default]\nconcurrency = 2.5\nmaxRetries = 0\n[schedules.x]\ncron = "0 3 * * *"\ntz = "Mars/Base"\ntype = "t"\n', ['stats']);
    expect(result).toMatchObject({ code: 1, stdout: '' });
    expect(result.stderr).toBe([
      'flexq: flexq.toml:2: queues.default.concurrency: expected a whole number, got 2.5',
      'flexq: flexq.toml:3: queues.default.maxRetries: must be at least 1, got 0',
      'flexq: flexq.toml:6: schedules.x.tz: unknown time zone "Mars/Base"; expected an IANA name such as "Europe/Berlin" or "UTC"',
      '',
    ].join('\n'));
  });

  it('an environment variable error starts with flexq: and names the variable', async () => {
    const result = await flexq(['stats'], redisEnv(prefix, { FLEXQ_REDIS_DB: 'x' }));
    expect(result.code).toBe(1);
    expect(result.stderr).toBe('flexq: environment variable FLEXQ_REDIS_DB: expected a non-negative integer (got "x")\n');
  });

  it('a db the server does not have fails the start: DB index out of range, exit 1', async () => {
    for (const [args, env] of [
      [['stats'], redisEnv(prefix, { FLEXQ_REDIS_DB: '20000' })],
      [['--headless'], redisEnv(prefix, { FLEXQ_REDIS_DB: '20000' })],
    ] as const) {
      const result = await flexq([...args], env);
      expect(result.code).toBe(1);
      expect(result.stderr).toMatch(/^flexq: Redis at 127\.0\.0\.1:6379 has no db 20000: DB index out of range/);
    }
  });

  it('an unwritable [logging] file fails the start naming the path', async () => {
    await writeFile(join(dir, 'not-a-folder'), '');
    const result = await withConfig('[logging]\nfile = "not-a-folder/flexq.log"\n[metrics]\nenabled = false\n', ['--headless']);
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(new RegExp(`^flexq: cannot write the log file ${join(dir, 'not-a-folder/flexq.log')} \\(\\[logging\\] file\\): `));
    expect(result.stdout).toBe('');
  });

  it('an unknown --queue is a usage error: exit 2', async () => {
    const result = await flexq(['stats', '--queue', 'nope']);
    expect(result.code).toBe(2);
    expect(result.stderr).toBe("flexq: queue 'nope' is not in the config (configured: default)\nRun 'flexq stats --help' for usage.\n");
    const retryAll = await flexq(['retry', '--all', 'failed', '--queue', 'nope']);
    expect(retryAll.code).toBe(2);
    expect(retryAll.stderr).toBe("flexq: queue 'nope' is not in the config (configured: default)\nRun 'flexq retry --help' for usage.\n");
  });

  it('quotes what was typed with control and invisible characters escaped, never stripped into another value', async () => {
    const shown = await flexq(['show', 'j973bas1bkc6\u200b']);
    expect(shown.code).toBe(1);
    expect(shown.stderr).toContain("no job with id 'j973bas1bkc6\\u200b'");
    const cancelled = await flexq(['cancel', 'a\u001b]52;c;aGVsbG8=\u0007b']);
    expect(cancelled.stderr).toContain("no job with id 'a\\u001b]52;c;aGVsbG8=\\u0007b'");
    const dispatched = await flexq(['dispatch', 'de\u001b[2Jmo', '{}']);
    expect(dispatched.code).toBe(2);
    expect(dispatched.stderr).toContain("value 'de\\u001b[2Jmo' is invalid");
    for (const { stderr } of [shown, cancelled, dispatched]) expect(stderr).not.toMatch(/[\u001b\u0007\u200b]/);
  });

  it('cancel of a finished job says so in plain words, without engine method names', async () => {
    const queue = await RedisQueue.connect('default', { url: REDIS_URL, prefix });
    try {
      const job = await queue.push({ type: 'demo', payload: {} });
      await queue.cancelJob(job.id);
      const result = await flexq(['cancel', job.id]);
      expect(result.code).toBe(1);
      expect(result.stderr).toBe(`flexq: cannot cancel job ${job.id}: it is cancelled; only waiting or running jobs can be cancelled\n`);
    } finally {
      await queue.close();
    }
  });

  it('demo waits out a Redis outage and goes on dispatching once Redis is back', async () => {
    const redis = await startPrivateRedis(await freePort());
    const demo = new FlexqProcess(['demo', '--interval', '100ms'], { env: childEnv({ FLEXQ_REDIS_URL: redis.url }), cwd: dir });
    let restarted: Awaited<ReturnType<typeof startPrivateRedis>> | undefined;
    try {
      await waitForOutput(demo, /dispatched demo job 1/);
      await redis.stop();
      await waitForOutput(demo, new RegExp(`Redis at 127\\.0\\.0\\.1:${redis.port} is not answering \\(.+\\): waiting for it`), 'stderr');
      expect(demo.stderr).not.toMatch(/maxRetriesPerRequest/);
      restarted = await startPrivateRedis(redis.port);
      await waitForOutput(demo, /answers again: the demo goes on/, 'stderr');
      const before = (demo.stdout.match(/dispatched demo job/g) ?? []).length;
      await waitForOutput(demo, new RegExp(`dispatched demo job ${before + 1}\\b`));
      demo.signal('SIGINT');
      expect(await demo.exited).toBe(0);
    } finally {
      await demo.kill();
      await redis.stop();
      await restarted?.stop();
    }
  }, 40_000);

  it('a command cut off by Redis going away says so in plain words, naming the address', async () => {
    const redis = await startPrivateRedis(await freePort());
    const queue = await RedisQueue.connect('default', { url: redis.url, prefix: 'flexq' });
    await queue.push({ type: 'demo', payload: {} });
    expect(await queue.pop()).not.toBeNull();
    await queue.close();
    const drain = new FlexqProcess(['drain', 'default', '--timeout', '1m'], { env: childEnv({ FLEXQ_REDIS_URL: redis.url }), cwd: dir });
    try {
      await waitForOutput(drain, /running/, 'any');
      await redis.stop();
      expect(await drain.exited).toBe(1);
      expect(drain.stderr).toMatch(new RegExp(`^flexq: Redis at 127\\.0\\.0\\.1:${redis.port} stopped answering \\(.+\\): the command may not have been carried out\\n$`, 'm'));
      expect(drain.stderr).not.toMatch(/maxRetriesPerRequest/);
    } finally {
      await drain.kill();
      await redis.stop();
    }
  }, 40_000);
});

async function waitForOutput(child: FlexqProcess, pattern: RegExp, stream: 'stdout' | 'stderr' | 'any' = 'stdout'): Promise<void> {
  const deadline = Date.now() + 10_000;
  const text = (): string => (stream === 'any' ? child.stdout + child.stderr : child[stream]);
  while (!pattern.test(text())) {
    if (Date.now() > deadline) throw new Error(`no ${pattern} in ${child.stdout} / ${child.stderr}`);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}
