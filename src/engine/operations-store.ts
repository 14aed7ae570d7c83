/**
 * The Redis side of operators' work on one queue: bulk retry and clean-up chunk by chunk, removing
 * a job, totals and per-minute history, and the registry of queues under a prefix.
 */
import { randomBytes } from 'node:crypto';
import type { RedisClient } from './connection.js';
import { isPermissionRefusal } from './errors.js';
import { formatKey, registryKey, shardRegistryKey } from './keys.js';
import { DATA_FORMAT } from './data-format.js';
import type { QueueStore, StatusReply } from './store.js';

/** Where a bulk retry stands between two chunks. */
export interface RetryCursor {
  /** Finished-at µs of the newest job the retry takes ('' before the first chunk). */
  until: string;
  score: string;
  id: string;
}

/** Where a bulk cancel stands between two chunks. */
export interface CancelCursor {
  /** µs by which a pending job must have become ready ('' before the first chunk). */
  until: string;
  /** The last priority level done with ('' for none yet). */
  level: string;
}

/** What one chunk of a bulk operation did. */
export interface ChunkReply {
  /** Jobs changed (retried or removed) by this chunk. */
  changed: number;
  done: boolean;
  /** Jobs the operation will look at, given by the first chunk only. */
  total?: number;
}

/** One minute of the history as stored. */
export interface MinuteCounts {
  minute: number;
  completed: number;
  failed: number;
}

function requestId(): string {
  return randomBytes(8).toString('hex');
}

/** Minutes the history keeps (lua/includes/history.lua). */
export const HISTORY_MINUTES = 1440;

function chunkReply(changed: string, done: string, total: string): ChunkReply {
  return { changed: Number(changed), done: done === '1', ...(total === '' ? {} : { total: Number(total) }) };
}

/** Operators' calls for the queue of `store`. */
export class OperationsStore {
  constructor(private readonly store: QueueStore) {}

  /** Retries the next chunk of failed or cancelled jobs (of `type`, or any when ''); moves `cursor` on. */
  async retryChunk(status: 'failed' | 'cancelled', type: string, chunk: number, cursor: RetryCursor): Promise<ChunkReply> {
    const args = [this.store.settings.eventsMaxLen, status, type, chunk, cursor.until, cursor.score, cursor.id, requestId()];
    const [changed, until, score, id, done, total] = (await this.store.call('retryJobs', args)) as string[];
    Object.assign(cursor, { until, score, id });
    return chunkReply(changed!, done!, total!);
  }

  /** Removes the next chunk of jobs of `status` finished before the cutoff; `cutoff.value` is set by the first chunk. */
  async cleanChunk(status: 'completed' | 'failed' | 'cancelled', olderThan: number, chunk: number, cutoff: { value: string }): Promise<ChunkReply> {
    const args = [this.store.settings.eventsMaxLen, status, olderThan, chunk, cutoff.value, requestId()];
    const [changed, value, done, total] = (await this.store.call('cleanJobs', args)) as string[];
    cutoff.value = value!;
    return chunkReply(changed!, done!, total!);
  }

  /**
   * Cancels the next chunk of waiting jobs of `status`; `cursor.until` (µs: pending jobs ready by
   * then) is set by the first chunk, `cursor.level` (the last level done with) by each.
   */
  async cancelChunk(status: 'pending' | 'delayed' | 'retrying', chunk: number, cursor: CancelCursor): Promise<ChunkReply> {
    const { eventsMaxLen, keepFailed, retentionBatch } = this.store.settings;
    const args = [eventsMaxLen, status, chunk, cursor.until, keepFailed.age, keepFailed.count, retentionBatch, requestId(), cursor.level];
    const [changed, until, done, total, level] = (await this.store.call('cancelJobs', args)) as string[];
    Object.assign(cursor, { until, level });
    return chunkReply(changed!, done!, total!);
  }

  /** Removes a finished job. */
  async remove(id: string): Promise<StatusReply> {
    return (await this.store.call('removeJob', [this.store.settings.eventsMaxLen, id, requestId()])) as StatusReply;
  }

  /** Completed and failed jobs counted since the queue was first used. */
  async totals(): Promise<{ completed: number; failed: number }> {
    const [completed, failed] = await this.store.client.hmget(this.store.keys.totals, 'completed', 'failed');
    return { completed: Number(completed ?? 0), failed: Number(failed ?? 0) };
  }

  /** The last `minutes` minutes on Redis's clock, oldest first; minutes without a finished job count zero. */
  async history(minutes: number): Promise<MinuteCounts[]> {
    const [seconds] = await this.store.client.time();
    const now = Math.floor(Number(seconds) / 60);
    const wanted = Array.from({ length: minutes }, (_unused, i) => now - minutes + 1 + i);
    const stored = await this.store.client.hmget(this.store.keys.totals, ...wanted.map((minute) => `m${minute % HISTORY_MINUTES}`));
    return wanted.map((minute, i) => {
      const [at, completed, failed] = (stored[i] ?? '').split('|');
      return Number(at) === minute ? { minute, completed: Number(completed), failed: Number(failed) } : { minute, completed: 0, failed: 0 };
    });
  }

}

/** The queue names registered under `prefix`, sorted. */
export async function registeredQueues(client: RedisClient, prefix: string): Promise<string[]> {
  return (await client.smembers(registryKey(prefix))).sort();
}

/**
 * The shard count of each registered queue that has more than one (a console opens a queue it
 * found in Redis with it); a queue without an entry has one.
 */
export async function registeredShards(client: RedisClient, prefix: string): Promise<Record<string, number>> {
  const stored = await client.hgetall(shardRegistryKey(prefix));
  return Object.fromEntries(Object.entries(stored).map(([name, shards]) => [name, Number(shards)]));
}

/** Per connection (another Redis may share the prefix), the `prefix, name` entries written. */
const registeredOn = new WeakMap<RedisClient, Set<string>>();

/**
 * Adds a queue to its prefix's registry with its shard count, once per process (a SADD of a member
 * already there, or an HSET of the same count, changes nothing: a second process or a resend is harmless). A failed write is tried again
 * on the next use; a Redis user whose ACL rules lack SADD (a recipe from before the registry) is
 * not stopped by it: its queues work, only consoles do not find them.
 */
export async function registerQueue(client: RedisClient, prefix: string, name: string, shards: number): Promise<void> {
  const entry = `${prefix}\u0000${name}\u0000${shards}`;
  let registered = registeredOn.get(client);
  if (!registered) registeredOn.set(client, (registered = new Set()));
  if (registered.has(entry)) return;
  registered.add(entry);
  try {
    await client.sadd(registryKey(prefix), name);
    // A registry needs its format mark (data-format.ts): after Redis lost its data, the queue
    // registered again without it would make every later connect refuse the prefix.
    await client.set(formatKey(prefix), DATA_FORMAT, 'NX');
    // Only a sharded queue writes its count: a producer that connects without `shards` (its jobs go
    // to shard 0, which keeps the queue's own tag) must not make consoles open the queue unsharded.
    if (shards > 1) await client.hset(shardRegistryKey(prefix), name, shards);
  } catch (err) {
    if (isPermissionRefusal(err)) return;
    registered.delete(entry);
    throw err;
  }
}
