/**
 * `checkRedis` (what `flexq doctor` and a starting host report) against a private Redis whose
 * settings each test changes: every finding's level, its words, and what to do about it.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { RedisQueue, type RedisCheck } from '../../src/index.js';
import { LIBRARY_NAME } from '../../src/engine/library.js';
import { startFaultProxy } from '../fault-proxy.js';
import { uniquePrefix, usePrivateRedis } from '../helpers.js';

const redis = usePrivateRedis();
let queue: RedisQueue;
beforeAll(async () => {
  queue = await RedisQueue.connect('doctor', { url: redis.url, prefix: uniquePrefix('doctor') });
});
afterAll(async () => queue.close());

/** Puts back what a test changed: the private server's start-up settings. */
afterEach(async () => {
  await redis.admin.config('SET', 'maxmemory-policy', 'noeviction', 'maxmemory', '0', 'save', '', 'appendonly', 'no', 'appendfsync', 'everysec');
});

async function finding(name: RedisCheck['name'], checks?: RedisCheck[]): Promise<RedisCheck> {
  return (checks ?? (await queue.checkRedis())).find((check) => check.name === name)!;
}

describe('checkRedis', () => {
  it('finds a Redis 7 with the library loaded, no eviction, no memory cap and a near round trip fit, and says it keeps nothing', async () => {
    const checks = await queue.checkRedis();
    expect(checks.map((check) => [check.name, check.level])).toEqual([
      ['version', 'ok'], ['functions', 'ok'], ['eviction', 'ok'], ['memory', 'ok'], ['persistence', 'warn'], ['latency', 'ok'],
    ]);
    const version = (await redis.admin.info('server')).match(/redis_version:(\S+)/)![1];
    expect(await finding('version', checks)).toEqual({ name: 'version', level: 'ok', detail: `Redis ${version}` });
    expect((await finding('functions', checks)).detail).toBe(`function library ${LIBRARY_NAME} loaded`);
    expect((await finding('eviction', checks)).detail).toBe('maxmemory-policy noeviction');
    expect((await finding('memory', checks)).detail).toMatch(/^\d+\.\d MiB used, no maxmemory$/);
    expect(await finding('persistence', checks)).toEqual({
      name: 'persistence', level: 'warn', detail: 'persistence off (no AOF, no snapshots): a Redis restart loses every job', fix: 'CONFIG SET appendonly yes',
    });
    expect((await finding('latency', checks)).detail).toMatch(/^round trip \d+\.\d\d ms \(median of 5\)$/);
  });

  it('calls a policy that evicts any key an error, one that evicts only keys with a time to live fine', async () => {
    await redis.admin.config('SET', 'maxmemory-policy', 'allkeys-lru');
    expect(await finding('eviction')).toEqual({
      name: 'eviction', level: 'error', detail: 'maxmemory-policy allkeys-lru may evict queue keys when memory runs out: jobs would vanish',
      fix: 'CONFIG SET maxmemory-policy noeviction (flexq then rejects new jobs with RedisFullError instead)',
    });
    await redis.admin.config('SET', 'maxmemory-policy', 'volatile-lru');
    expect(await finding('eviction')).toEqual({ name: 'eviction', level: 'ok', detail: 'maxmemory-policy volatile-lru' });
  });

  it('warns from 90% of maxmemory used, with the share', async () => {
    const used = Number((await redis.admin.info('memory')).match(/used_memory:(\d+)/)![1]);
    await redis.admin.config('SET', 'maxmemory', String(used * 4));
    const roomy = await finding('memory');
    expect(roomy.level).toBe('ok');
    expect(roomy.detail).toMatch(/^\d+\.\d of \d+\.\d MiB used \((2[0-9]|30)%\)$/);
    // The cap just over what is used: the check reads; nothing is written that the cap would refuse.
    await redis.admin.config('SET', 'maxmemory', String(Math.ceil(used * 1.02)));
    const full = await finding('memory');
    expect(full).toMatchObject({ level: 'warn', fix: 'raise maxmemory or trim retention (keepCompleted, keepFailed)' });
    expect(full.detail).toMatch(/\((9\d|100)%\)$/);
  });

  it('tells what a crash loses under each persistence setting', async () => {
    await redis.admin.config('SET', 'save', '3600 1');
    expect(await finding('persistence')).toEqual({
      name: 'persistence', level: 'warn', detail: 'RDB snapshots only (save 3600 1): a crash loses the jobs since the last snapshot', fix: 'CONFIG SET appendonly yes',
    });
    await redis.admin.config('SET', 'appendonly', 'yes');
    const aof: [fsync: string, detail: string][] = [
      ['always', 'AOF on (appendfsync always): on a crash no acknowledged job is lost'],
      ['everysec', 'AOF on (appendfsync everysec): on a crash up to about a second of jobs can be lost'],
      ['no', 'AOF on (appendfsync no): on a crash the OS decides what is lost'],
    ];
    for (const [fsync, detail] of aof) {
      await redis.admin.config('SET', 'appendfsync', fsync);
      expect(await finding('persistence')).toEqual({ name: 'persistence', level: 'ok', detail });
    }
  });

  it('says so when the function library is gone, or CONFIG is refused to the user', async () => {
    await redis.admin.call('FUNCTION', 'DELETE', LIBRARY_NAME);
    expect(await finding('functions')).toEqual({
      name: 'functions', level: 'error', detail: `function library ${LIBRARY_NAME} is not loaded`,
      fix: 'connect once as a Redis user allowed FUNCTION LOAD (any flexq command does it)',
    });
    // A user without CONFIG (as on many managed services): snapshots cannot be told.
    await redis.admin.call('ACL', 'SETUSER', 'noconfig', 'on', '>pw', '~*', '&*', '+@all', '-config');
    const limited = await RedisQueue.connect('doctor', { url: redis.url.replace('//', '//noconfig:pw@'), prefix: uniquePrefix('doctor') });
    try {
      expect(await finding('persistence', await limited.checkRedis())).toMatchObject({
        level: 'warn', detail: 'AOF off, and snapshots unknown (CONFIG is disabled)',
      });
    } finally {
      await limited.close();
    }
  });
  it('warns of a far Redis, naming the median round trip and what to do', async () => {
    const proxy = await startFaultProxy({ host: '127.0.0.1', port: Number(new URL(redis.url).port) });
    const far = await RedisQueue.connect('doctor', { url: proxy.url, prefix: uniquePrefix('doctor-far') });
    try {
      proxy.delayReplies(8);
      const latency = await finding('latency', await far.checkRedis());
      expect(latency).toEqual({ name: 'latency', level: 'warn', detail: expect.stringMatching(/^round trip \d+\.\d\d ms \(median of 5\)$/), fix: 'run the workers near Redis: every claim and outcome is a round trip' });
      expect(Number(/round trip (\S+) ms/.exec(latency.detail)![1])).toBeGreaterThanOrEqual(8);
    } finally {
      proxy.delayReplies(0);
      await far.close();
      await proxy.close();
    }
  });
});
