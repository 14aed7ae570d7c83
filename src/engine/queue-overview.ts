/**
 * A queue at a glance, as a console shows it: counts, paused state, the oldest ready job and the
 * rate limit, each read from every shard and merged.
 */
import { primaryOfKey, type RedisClient } from './connection.js';
import { mergeRateLimits } from './rate-limit.js';
import { mergeOverviews, type ShardOverview } from './sharded-reads.js';
import type { QueueStore } from './store.js';
import type { QueueStats, RateLimitStatus } from './types.js';

/** One queue at a glance. */
export interface QueueOverview {
  name: string;
  stats: QueueStats;
  paused: boolean;
  /** When the longest-waiting ready job became ready; null when none is ready. */
  oldestReadyAt: Date | null;
  /** The rate limit and its window now; null when the queue has none. */
  rateLimit: RateLimitStatus | null;
  /** Jobs are ready but the rate limit lets none start now. */
  rateLimited: boolean;
  /** At most this many jobs of one fair group run at once; null when there is no cap. */
  groupConcurrency: number | null;
  /** A sharded queue's shards, each at a glance (absent for a queue of one shard). */
  shards?: ShardOverview[];
}

/** Every shard's counts, paused state and oldest ready job, merged (with the shards apart when there are several). */
export async function readShardStates(
  client: RedisClient, shards: readonly QueueStore[],
): Promise<Omit<QueueOverview, 'name' | 'rateLimit' | 'rateLimited'>> {
  const stats = await Promise.all(shards.map((shard) => shard.stats()));
  return mergeOverviews(stats, shards.map((shard) => primaryOfKey(client, shard.keys.jobs)));
}

/** The rate limit over every shard and how full its window is now; null when the queue has none. */
export async function readRateLimit(shards: readonly QueueStore[]): Promise<RateLimitStatus | null> {
  return mergeRateLimits(await Promise.all(shards.map((shard) => shard.rateLimit())));
}

/** The overview of queue `name`, whose shards are `shards`. */
export async function readQueueOverview(name: string, client: RedisClient, shards: readonly QueueStore[]): Promise<QueueOverview> {
  const [overview, rateLimit] = await Promise.all([readShardStates(client, shards), readRateLimit(shards)]);
  return { name, ...overview, rateLimit, rateLimited: rateLimit !== null && rateLimit.opensIn > 0 && overview.stats.pendingJobs > 0 };
}
