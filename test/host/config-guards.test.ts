/** What flexq.toml may not contain, and how errors name their source when there is no file. */
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadConfig, parseConfig } from '../../src/config/config.js';
import { ConfigError } from '../../src/config/config-errors.js';
import { errorOf, parse } from './config-helpers.js';

describe('config guards', () => {
  it('refuses __proto__ keys at any depth, each named by its path and line', () => {
    const error = errorOf('[queues.a]\nconcurrency = 2\n[queues.__proto__]\nconcurrency = 1\n[queues.b.retention.__proto__]\ncount = 1\n');
    expect(error.issues.map(({ path, line, message }) => ({ path, line, message }))).toEqual(expect.arrayContaining([
      { path: 'queues.__proto__', line: 3, message: 'the key "__proto__" is not allowed' },
      { path: 'queues.b.retention.__proto__', line: 5, message: 'the key "__proto__" is not allowed' },
    ]));
    expect(error.issues).toHaveLength(2);
  });

  it('quotes a bad environment value back, but never the user and password of a URL', () => {
    const bad = errorOf('', { FLEXQ_REDIS_URL: 'http://admin:s3cret@cache:6379', FLEXQ_REDIS_DB: 'seven' });
    expect(bad.message).not.toContain('s3cret');
    expect(bad.message).toContain('environment variable FLEXQ_REDIS_URL');
    expect(bad.message).toMatch(/environment variable FLEXQ_REDIS_DB.*\(got "seven"\)/);
  });

  it('text with no file is named as the built-in sample; its relative paths resolve against the folder given', () => {
    let error: unknown;
    try {
      parseConfig('[queues.a]\nconcurrency = -1\n', { file: null });
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as Error).message).toMatch(/^built-in sample config:2: queues\.a\.concurrency/);
    const config = parseConfig('[logging]\nfile = "logs/flexq.log"\n', { file: null, baseDir: '/srv/app' });
    expect(config.logging.file).toBe('/srv/app/logs/flexq.log');
  });

  it('a flexq.toml that cannot be read is an error, even when no --config was given', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'flexq-cfg-'));
    try {
      await mkdir(join(dir, 'flexq.toml'));
      await expect(loadConfig({ cwd: dir, env: {} })).rejects.toThrow(/^flexq\.toml: cannot read the file: it is a folder$/);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('a table given as a plain value says so, not that a key is unknown', () => {
    const message = errorOf('redis = 5').message;
    expect(message).toMatch(/redis: /);
    expect(message).not.toContain('unknown key');
  });

  it('takes the shortest duration there is, and only redis:// or rediss:// URLs that name a host', () => {
    expect(parse('[queues.q]\npollTime = 1').queues[0]!.pollTime).toBe(1);
    for (const url of ['redis://', 'http://cache:6379', '::']) {
      expect(errorOf(`[redis]\nurl = "${url}"`).message, url).toContain('redis.url: expected a url such as');
    }
    expect(parse('[redis]\nurl = "rediss://cache"').redis.url).toBe('rediss://cache');
    // The hint's examples read whole: none carries credentials for the masking to cut.
    const hint = errorOf('[redis]\nurl = "redis://:TopSecretPw@127.0.0.1:6441:99/0"').message;
    expect(hint).toContain('expected a url such as "redis://localhost:6379" or "rediss://host:6380/0"');
    expect(hint).not.toContain('TopSecretPw');
  });
});
