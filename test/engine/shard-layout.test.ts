/**
 * Where a sharded queue's keys go: shard 0 keeps the unsharded queue's hash tag, and the N tags
 * fall in N different of N equal slot ranges, so a cluster that splits its slots evenly over N
 * primaries (as `redis-cli --cluster create` does) gives each shard a primary of its own.
 */
import calculateSlot from 'cluster-key-slot';
import { expect, test } from 'vitest';
import { shardOfId, shardTags, shardedId } from '../../src/engine/shards.js';

test('the tags of N shards lie in N different slot ranges, shard 0 the queue name itself', () => {
  for (const name of ['emails', 'default', 'q', 'reports-eu', 'a_b.c']) {
    for (let count = 1; count <= 8; count++) {
      const tags = shardTags(name, count);
      expect(tags).toHaveLength(count);
      expect(tags[0]).toBe(name);
      const ranges = tags.map((tag) => Math.floor((calculateSlot(tag) * count) / 16_384));
      expect(new Set(ranges).size).toBe(count);
      // The same tags every time: they are where the jobs are.
      expect(shardTags(name, count)).toEqual(tags);
    }
  }
});

test('an id names its shard; ids without one, or naming no shard of the queue, go to shard 0', () => {
  expect(shardedId('abc', 2, 3)).toBe('2-abc');
  expect(shardedId('abc', 0, 1)).toBe('abc');
  expect(shardOfId('2-abc', 3)).toBe(2);
  expect(shardOfId('12-abc', 16)).toBe(12);
  expect(shardOfId('abc', 3)).toBe(0);
  expect(shardOfId('5-abc', 3)).toBe(0);
  expect(shardOfId('2-abc', 1)).toBe(0);
});
