/**
 * `getWorkers()` as a console shows it: every worker that beat lately, sorted by id, healthy while
 * heard from within three heartbeat periods (15 s), and a worker silent for over a minute (killed
 * without a clean stop) dropped from the list and from Redis. The heartbeats are written as a
 * worker writes them, with the times a test needs.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Redis } from 'ioredis';
import type { RedisQueue } from '../../src/index.js';
import { freshQueue, rawClient } from '../helpers.js';

describe('getWorkers', () => {
  let queue: RedisQueue;
  let prefix: string;
  let cleanup: () => Promise<void>;
  let raw: Redis;
  beforeEach(async () => {
    ({ queue, prefix, cleanup } = await freshQueue('workers-list'));
    raw = rawClient();
  });
  afterEach(async () => {
    raw.disconnect();
    await cleanup();
  });

  const beat = (id: string, silentForMs: number, extra: Record<string, unknown> = {}) => {
    const now = Date.now();
    const json = JSON.stringify({
      host: 'h', pid: 1, busy: 0, concurrency: 2, types: ['t'], startedAt: now - 100_000, lastFetchAt: now, lastSeenAt: now - silentForMs, ...extra,
    });
    return raw.hset(`${prefix}:{workers-list}:workers`, id, json);
  };

  it('lists workers by id, healthy within three heartbeats, and drops one silent for over a minute', async () => {
    await beat('w-c', 1_000);
    await beat('w-a', 16_000); // past three heartbeats (15 s): listed, not healthy
    await beat('w-b', 14_000, { types: undefined }); // within them; a beat without types lists none
    await beat('w-gone', 61_000);
    const workers = await queue.getWorkers();
    expect(workers.map(({ id, healthy, types }) => ({ id, healthy, types }))).toEqual([
      { id: 'w-a', healthy: false, types: ['t'] },
      { id: 'w-b', healthy: true, types: [] },
      { id: 'w-c', healthy: true, types: ['t'] },
    ]);
    expect(workers[2]).toMatchObject({ queue: 'workers-list', host: 'h', concurrency: 2 });
    expect(workers[2]!.lastSeenAt).toBeInstanceOf(Date);
    expect(await raw.hkeys(`${prefix}:{workers-list}:workers`)).toEqual(expect.not.arrayContaining(['w-gone']));
    expect(await raw.hlen(`${prefix}:{workers-list}:workers`)).toBe(3);
  });
});
