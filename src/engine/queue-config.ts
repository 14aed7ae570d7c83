/**
 * Checks of a queue's configuration, before anything connects: each bad value gets an error that
 * names it; and the settings each shard's store takes from it.
 */
import { checkDuration } from './codec.js';
import { DEFAULTS } from './defaults.js';
import { ValidationError } from './errors.js';
import { checkShards } from './shards.js';
import type { StoreSettings } from './store.js';
import type { RedisQueueConfig, RetentionPolicy } from './types.js';

/** A retention policy with the defaults filled in, checked. */
function retention(given: Partial<RetentionPolicy> | undefined, fallback: RetentionPolicy, name: string): RetentionPolicy {
  const policy = { ...fallback, ...given };
  checkDuration('connect', `${name}.age`, policy.age);
  if (!Number.isInteger(policy.count) || policy.count < 0) {
    throw new ValidationError('connect', `${name}.count must be a non-negative integer, got ${policy.count}`);
  }
  return policy;
}

/** One shard's part of a retention policy: the age, and an even share of the count. */
function shareOf(policy: RetentionPolicy, shards: number): RetentionPolicy {
  return { age: policy.age, count: Math.ceil(policy.count / shards) };
}

/** What each of a queue's `shards` stores takes from its config, defaults filled in. */
export function shardSettings(config: RedisQueueConfig, shards: number): StoreSettings {
  return {
    eventsMaxLen: config.eventsMaxLen ?? DEFAULTS.eventsMaxLen,
    durability: config.durability ?? 'primary',
    // Each shard keeps its share of the finished jobs, so the queue keeps about `count` in all.
    keepCompleted: shareOf(retention(config.keepCompleted, DEFAULTS.keepCompleted, 'keepCompleted'), shards),
    keepFailed: shareOf(retention(config.keepFailed, DEFAULTS.keepFailed, 'keepFailed'), shards),
    retentionBatch: DEFAULTS.retentionBatch,
    upkeepBatch: DEFAULTS.maintenanceBatch,
  };
}

/** Checks the settings of `connect` (and of `queue()`, which takes the per-queue ones). */
export function checkConfig(config: RedisQueueConfig): void {
  const { maxRetries, retryDelays, prefix } = config;
  if (maxRetries !== undefined && (!Number.isInteger(maxRetries) || maxRetries < 1)) {
    throw new ValidationError('connect', `maxRetries must be a positive integer, got ${maxRetries}`);
  }
  if (retryDelays !== undefined) {
    if (!Array.isArray(retryDelays) || retryDelays.length === 0) {
      throw new ValidationError('connect', 'retryDelays must be a non-empty array of milliseconds');
    }
    retryDelays.forEach((delay, i) => checkDuration('connect', `retryDelays[${i}]`, delay));
  }
  if (prefix !== undefined && (typeof prefix !== 'string' || prefix === '' || /[{}]/.test(prefix))) {
    throw new ValidationError('connect', `prefix must be a non-empty string without braces, got ${JSON.stringify(prefix)}`);
  }
  if (config.durability !== undefined && config.durability !== 'primary' && config.durability !== 'replicated') {
    throw new ValidationError('connect', `durability must be "primary" or "replicated", got ${JSON.stringify(config.durability)}`);
  }
  const { maxPayloadBytes } = config;
  if (maxPayloadBytes !== undefined && (!Number.isInteger(maxPayloadBytes) || maxPayloadBytes < 2 || maxPayloadBytes > 512 * 1024 * 1024)) {
    throw new ValidationError('connect', `maxPayloadBytes must be an integer from 2 to ${512 * 1024 * 1024}, got ${maxPayloadBytes}`);
  }
  checkShards('connect', config.shards);
  for (const [name, value] of [['poolSize', config.poolSize], ['minIdleConns', config.minIdleConns]] as const) {
    if (value !== undefined && (!Number.isInteger(value) || value < 0)) {
      throw new ValidationError('connect', `${name} must be a non-negative integer, got ${value}`);
    }
  }
}
