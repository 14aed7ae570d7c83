/**
 * How a queue of N shards is laid out: each shard's hash tag, which shard a job id names, and which
 * shard a new job goes to. A shard is a whole queue's worth of keys in one hash slot (see keys.ts),
 * so every script runs on one shard unchanged; the sharded layer only routes and merges.
 */
import calculateSlot from 'cluster-key-slot';
import { ValidationError } from './errors.js';
import type { NewJob } from './types.js';

/** Redis Cluster's hash slots. */
const SLOTS = 16_384;

/** Most shards a queue may have: more slots than any cluster has primaries, few enough to fan out to. */
export const MAX_SHARDS = 64;

/** Checks `shards` of a queue's config: an integer from 1 to MAX_SHARDS. */
export function checkShards(operation: string, shards: unknown): number {
  if (shards === undefined) return 1;
  if (!Number.isInteger(shards) || (shards as number) < 1 || (shards as number) > MAX_SHARDS) {
    throw new ValidationError(operation, `shards must be an integer from 1 to ${MAX_SHARDS}, got ${String(shards)}`);
  }
  return shards as number;
}

/** Which of `count` equal slot ranges a slot falls in (the ranges `redis-cli --cluster create` gives `count` primaries). */
function rangeOf(slot: number, count: number): number {
  return Math.floor((slot * count) / SLOTS);
}

/**
 * The hash-tag names (what goes inside `{…}`) of a queue's shards. Shard 0 is `<queue>` itself, the
 * one tag of an unsharded queue, so a queue that grows from 1 to N shards keeps its jobs. Shard i
 * is `<queue>#<i>`, or the first `<queue>#<i>.<k>` (k = 1, 2, …) whose slot lies in a slot range of
 * its own: the N tags fall in N different of N equal ranges, so on a cluster whose primaries split
 * the slots evenly (as `redis-cli --cluster create` does) each shard has a primary of its own. Plain
 * `<queue>#<i>` tags would share a primary by chance (3 shards over 3 primaries: 7 times in 9).
 */
export function shardTags(name: string, count: number): string[] {
  if (count === 1) return [name];
  const taken = new Set([rangeOf(calculateSlot(name), count)]);
  const free = Array.from({ length: count }, (_, range) => range).filter((range) => !taken.has(range));
  const tags = [name];
  for (let shard = 1; shard < count; shard++) {
    const wanted = free[shard - 1]!;
    // A slot lands in a given range 1 time in `count`: the search ends after a few tries.
    for (let k = 0; ; k++) {
      const tag = k === 0 ? `${name}#${shard}` : `${name}#${shard}.${k}`;
      if (rangeOf(calculateSlot(tag), count) === wanted) {
        tags.push(tag);
        break;
      }
    }
  }
  return tags;
}

/**
 * The shard a job id names: ids of a sharded queue read `<shard>-<random>`. An id without that
 * prefix (stored before the queue had shards) and one naming no shard of this queue go to shard 0,
 * where they are found or reported missing like any unknown id.
 */
export function shardOfId(id: string, count: number): number {
  if (count === 1) return 0;
  const dash = id.indexOf('-');
  if (dash < 1 || dash > 2) return 0;
  const shard = Number(id.slice(0, dash));
  return Number.isInteger(shard) && shard < count ? shard : 0;
}

/** A new job id as stored in shard `shard` of a queue of `count` shards. */
export function shardedId(id: string, shard: number, count: number): string {
  return count === 1 ? id : `${shard}-${id}`;
}

/** Items of one shard, each with its index in the list they were grouped from. */
export interface ShardGroup<T> {
  items: T[];
  at: number[];
}

/** Groups items by their shard, keeping each one's index in `items`. */
export function groupByShard<T>(items: readonly T[], shardOf: (item: T) => number): Map<number, ShardGroup<T>> {
  const groups = new Map<number, ShardGroup<T>>();
  items.forEach((item, i) => {
    const shard = shardOf(item);
    let group = groups.get(shard);
    if (!group) groups.set(shard, (group = { items: [], at: [] }));
    group.items.push(item);
    group.at.push(i);
  });
  return groups;
}

/**
 * What keeps related jobs on one shard: their `uniqueKey` (a key is held on one shard, so every job
 * with it must go there), or their `group` (its turns and cap hold on one shard); a job of a
 * sharded queue has one or the other (JobAdder refuses both).
 * Jobs without a key go to the shards in turn. Runs before the job is checked: a bad key is not one.
 */
function routingKey(job: NewJob): string | undefined {
  const { uniqueKey, group } = job;
  if (typeof uniqueKey === 'string' && uniqueKey !== '') return uniqueKey;
  if (typeof group === 'string' && group !== '') return group;
  return undefined;
}

/** Picks the shard of each new job: by a hash of its routing key, else in turn. */
export class ShardPicker {
  // From a random shard: short-lived producers (one `flexq dispatch` each) would all fill shard 1.
  private turn: number;

  constructor(readonly count: number) {
    this.turn = Math.floor(Math.random() * count);
  }

  pick(job: NewJob): number {
    if (this.count === 1) return 0;
    const key = routingKey(job);
    if (key !== undefined) return calculateSlot(key) % this.count;
    this.turn = (this.turn + 1) % this.count;
    return this.turn;
  }
}
