import { describe, expect, it } from 'vitest';
import { DEFAULTS } from '../../src/engine/defaults.js';
import { errorOf, parse } from './config-helpers.js';

describe('redisConfigured', () => {
  it.each([
    ['[redis]\naddr = "cache:6379"', {}],
    ['[redis]\npassword = "x"', {}],
    ['[redis]\ndb = 3', {}],
    ['', { FLEXQ_REDIS_URL: 'redis://cache:6379' }],
    ['', { FLEXQ_REDIS_PASSWORD: 'x' }],
  ])('is true for %j with env %j', (source, env) => {
    expect(parse(source, env).redisConfigured).toBe(true);
  });

  it('is false when only the prefix or timeout is set', () => {
    expect(parse('[redis]\nprefix = "app"\nconnectTimeout = "1s"', { FLEXQ_REDIS_PREFIX: 'other' }).redisConfigured).toBe(false);
  });
});

describe('environment overrides', () => {
  const file = '[redis]\naddr = "file-host:6379"\nusername = "file-user"\npassword = "file-pass"\ndb = 1\nprefix = "file"\n[smtp]\npassword = "smtp-file"\n[webhook]\nsigningSecret = "hook-file"';

  it('win over the file', () => {
    const config = parse(file, {
      FLEXQ_REDIS_URL: 'redis://env-host:7000',
      FLEXQ_REDIS_USERNAME: 'env-user',
      FLEXQ_REDIS_PASSWORD: 'env-pass',
      FLEXQ_REDIS_DB: '4',
      FLEXQ_REDIS_PREFIX: 'env:prefix',
      FLEXQ_SMTP_PASSWORD: 'smtp-env',
      FLEXQ_WEBHOOK_SECRET: 'hook-env',
    });
    expect(config.redis).toEqual({
      url: 'redis://env-host:7000',
      username: 'env-user',
      password: 'env-pass',
      db: 4,
      prefix: 'env:prefix',
      connectTimeout: DEFAULTS.connectTimeout,
    });
    expect(config.smtp.password).toBe('smtp-env');
    expect(config.webhook.signingSecret).toBe('hook-env');
  });

  it('leave the file alone when unset or empty', () => {
    const config = parse(file, { FLEXQ_REDIS_PASSWORD: '', FLEXQ_REDIS_URL: '' });
    expect(config.redis.addr).toBe('file-host:6379');
    expect(config.redis.password).toBe('file-pass');
    expect(config.smtp.password).toBe('smtp-file');
  });

  it.each([
    ['FLEXQ_REDIS_URL', 'http://wrong:6379', /redis:\/\//],
    ['FLEXQ_REDIS_DB', 'two', /non-negative integer/],
    ['FLEXQ_REDIS_DB', '-1', /non-negative integer/],
    ['FLEXQ_REDIS_PREFIX', 'has space', /expected letters/],
  ])('an invalid %s=%j is an error naming the variable and the value', (name, value, expected) => {
    const error = errorOf('', { [name]: value });
    expect(error.message).toContain(`environment variable ${name}`);
    expect(error.message).toContain(JSON.stringify(value));
    expect(error.message).toMatch(expected);
  });
});
