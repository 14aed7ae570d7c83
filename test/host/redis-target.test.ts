/** `[redis]` as the engine gets it (queueConfig), as logs name it, and which Redis a host or command picks. */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { PROBE_ADDR_ENV, describeRedisAddress, queueConfig, redisForCommand, redisForHost } from '../../src/config/redis-target.js';
import { freePort } from '../helpers.js';
import { parse } from './config-helpers.js';

describe('describeRedisAddress', () => {
  it('names host and port only, 6379 when the url gives none, and every sentinel', () => {
    expect(describeRedisAddress(parse('[redis]\nurl = "redis://user:pw@cache.internal:6380/2"').redis)).toBe('cache.internal:6380');
    expect(describeRedisAddress(parse('[redis]\nurl = "rediss://cache.internal"').redis)).toBe('cache.internal:6379');
    expect(describeRedisAddress(parse('[redis]\naddr = "10.0.0.5:7000"').redis)).toBe('10.0.0.5:7000');
    expect(describeRedisAddress({ prefix: 'p', connectTimeout: 1 })).toBe('localhost:6379');
    expect(describeRedisAddress(parse('[redis.sentinel]\nname = "m"\nnodes = ["s1:26379", "s2:26379"]').redis)).toBe('sentinel "m" via s1:26379,s2:26379');
  });
});

describe('queueConfig', () => {
  it('gives the engine exactly what the file sets, and nothing it does not', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'flexq-ca-'));
    try {
      await writeFile(join(dir, 'ca.pem'), 'PEM TEXT');
      const config = parse(`
[redis]
url = "rediss://cache:6380"
username = "app"
password = "pw"
db = 3
durability = "replicated"
prefix = "p:"
connectTimeout = "2s"
tls = { servername = "cache.example", caFile = "${join(dir, 'ca.pem')}" }
[queues.big]
maxRetries = 4
retryDelays = ["1s", "5s"]
maxPayloadBytes = 2048
retention.completed = { count = 10 }
`);
      expect(queueConfig(config.redis, config.queues[0]!)).toStrictEqual({
        prefix: 'p:', connectTimeout: 2_000, url: 'rediss://cache:6380', username: 'app', password: 'pw', db: 3, durability: 'replicated',
        tls: { rejectUnauthorized: true, servername: 'cache.example', ca: 'PEM TEXT' },
        maxRetries: 4, retryDelays: [1_000, 5_000], maxPayloadBytes: 2048,
        keepCompleted: config.queues[0]!.retention.completed, keepFailed: config.queues[0]!.retention.failed,
      });
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
    const plain = parse('[redis]\naddr = "h:1"\ntls = true');
    const engine = queueConfig(plain.redis, plain.queues[0]!);
    expect(Object.keys(engine).sort()).toEqual(['addr', 'connectTimeout', 'keepCompleted', 'keepFailed', 'maxRetries', 'prefix', 'retryDelays', 'tls']);
    expect(engine.tls).toStrictEqual({ rejectUnauthorized: true });
  });
});

describe('which Redis', () => {
  it('a configured Redis is used as configured, without probing', async () => {
    const config = parse('[redis]\naddr = "127.0.0.1:1"');
    for (const pick of [redisForHost, redisForCommand]) {
      expect(await pick(config, { [PROBE_ADDR_ENV]: '127.0.0.1:6379' }, tmpdir())).toStrictEqual({ settings: config.redis, address: '127.0.0.1:1' });
    }
  });

  it('with none configured, the Redis answering on the probed address; a command falls back to that address', async () => {
    const config = parse('[redis]\nprefix = "p"');
    for (const pick of [redisForHost, redisForCommand]) {
      const target = await pick(config, { [PROBE_ADDR_ENV]: '127.0.0.1:6379' }, tmpdir());
      expect(target).toStrictEqual({ settings: { ...config.redis, addr: '127.0.0.1:6379' }, address: '127.0.0.1:6379' });
    }
    const silent = `127.0.0.1:${await freePort()}`;
    const empty = await mkdtemp(join(tmpdir(), 'flexq-none-'));
    try {
      expect(await redisForCommand(config, { [PROBE_ADDR_ENV]: silent }, empty)).toStrictEqual({ settings: { ...config.redis, addr: silent }, address: silent });
    } finally {
      await rm(empty, { recursive: true, force: true });
    }
  });
});
