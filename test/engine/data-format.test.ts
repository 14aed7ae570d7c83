/**
 * A queue never reads data laid out by another build: a prefix holding queues of another data
 * format (or of a build from before formats were numbered) is refused at connect, naming what to
 * do, and nothing is written there; a new prefix is marked with this build's format.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Redis } from 'ioredis';
import { FlexqError, RedisQueue } from '../../src/index.js';
import { DATA_FORMAT } from '../../src/engine/data-format.js';
import { deletePrefix, rawClient, testRedisConfig, uniquePrefix } from '../helpers.js';

describe('data format', () => {
  let raw: Redis;
  let prefix: string;
  beforeEach(() => {
    raw = rawClient();
    prefix = uniquePrefix('format');
  });
  afterEach(async () => {
    raw.disconnect();
    await deletePrefix(prefix);
  });
  const connect = () => RedisQueue.connect('q', { ...testRedisConfig(), prefix });

  it('marks a new prefix with this build\'s format, and connects to it again', async () => {
    await (await connect()).close();
    expect(await raw.get(`${prefix}:format`)).toBe(DATA_FORMAT);
    const again = await connect();
    await again.push({ type: 't', payload: {} });
    await again.close();
  });

  it('refuses a prefix whose queues an older build wrote, and leaves it as it was', async () => {
    await raw.sadd(`${prefix}:queues`, 'q');
    const err = await connect().then(() => null, (e: unknown) => e);
    expect(err).toBeInstanceOf(FlexqError);
    expect([(err as FlexqError).code, (err as FlexqError).operation]).toEqual(['BAD_STATE', 'connect']);
    expect((err as Error).message).toBe(`the queues under prefix "${prefix}" hold a flexq build from before data formats were numbered; `
      + `this build reads format ${DATA_FORMAT}. Let the build that wrote them work off their jobs and delete the prefix's keys, or use another prefix`);
    expect(await raw.get(`${prefix}:format`)).toBeNull();
  });

  it('refuses a prefix marked with another format, naming it', async () => {
    await raw.set(`${prefix}:format`, '1');
    await expect(connect()).rejects.toThrow(`the queues under prefix "${prefix}" hold data format 1; this build reads format ${DATA_FORMAT}`);
    expect(await raw.get(`${prefix}:format`)).toBe('1');
  });

  it('a queue registered after the keys were lost marks the format again, so later connects work', async () => {
    const queue = await connect();
    try {
      // As after a Redis restart without persistence: the mark is gone before this queue's first push.
      await raw.del(`${prefix}:format`);
      await queue.push({ type: 't', payload: {} });
      expect(await raw.get(`${prefix}:format`)).toBe(DATA_FORMAT);
      await (await connect()).close();
    } finally {
      await queue.close();
    }
  });
});
