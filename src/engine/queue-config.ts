/**
 * Checks of a queue's configuration, before anything connects: each bad value gets an error that
 * names it; and the settings each shard's store takes from it.
 */
import { z } from 'zod';
import { checkDuration } from './codec.js';
import { DEFAULTS } from './defaults.js';
import { ValidationError } from './errors.js';
import { checkedWhereUsed, checkOptions, integerOption, optionsSchema } from './options.js';
import { checkShards } from './shards.js';
import type { StoreSettings } from './store.js';
import { MAX_TIMER_MS } from './timers.js';
import type { RedisQueueConfig, RetentionPolicy } from './types.js';

/** What may differ between queues sharing one connection. */
export type QueueSettings = Pick<RedisQueueConfig, 'maxRetries' | 'retryDelays' | 'keepCompleted' | 'keepFailed' | 'eventsMaxLen' | 'maxPayloadBytes' | 'shards'>;

const retentionOptions = optionsSchema({ age: checkedWhereUsed, count: checkedWhereUsed } satisfies Record<keyof RetentionPolicy, z.ZodType>).optional();

// Values marked checkedWhereUsed are checked by checkValues below, or by connection.ts (addresses, db).
const settingsShape = {
  maxRetries: checkedWhereUsed,
  retryDelays: checkedWhereUsed,
  keepCompleted: retentionOptions,
  keepFailed: retentionOptions,
  eventsMaxLen: integerOption(1, Number.MAX_SAFE_INTEGER),
  maxPayloadBytes: checkedWhereUsed,
  shards: checkedWhereUsed,
} satisfies Record<keyof QueueSettings, z.ZodType>;

/** Names a job's options or flexq.toml use for a setting of `connect`. */
const OTHER_NAMES = { maxAttempts: 'maxRetries', retention: 'keepCompleted' };

const settingsOptions = optionsSchema(settingsShape, OTHER_NAMES);

const connectOptions = optionsSchema({
  ...settingsShape,
  addr: checkedWhereUsed,
  cluster: optionsSchema({ nodes: checkedWhereUsed }).optional(),
  sentinel: optionsSchema({ name: checkedWhereUsed, nodes: checkedWhereUsed, username: z.string().optional(), password: z.string().optional() }).optional(),
  durability: checkedWhereUsed,
  url: z.string().optional(),
  username: z.string().optional(),
  password: z.string().optional(),
  db: checkedWhereUsed,
  poolSize: checkedWhereUsed,
  minIdleConns: checkedWhereUsed,
  prefix: checkedWhereUsed,
  connectTimeout: integerOption(1, MAX_TIMER_MS),
  // Node's TLS options, handed to the client as they are.
  tls: z.looseObject({}).optional(),
} satisfies Record<keyof RedisQueueConfig, z.ZodType>, OTHER_NAMES);

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

/** Checks the values of `connect`'s or `queue()`'s settings against their ranges. */
function checkValues(operation: string, config: RedisQueueConfig): void {
  const { maxRetries, retryDelays, prefix } = config;
  // One place to connect to: with two, one would be dropped without a word.
  const targets = (['url', 'addr', 'cluster', 'sentinel'] as const).filter((name) => config[name] !== undefined);
  if (targets.length > 1) throw new ValidationError(operation, `give one of url, addr, cluster and sentinel, got ${targets.join(' and ')}`);
  if (maxRetries !== undefined && (!Number.isInteger(maxRetries) || maxRetries < 1)) {
    throw new ValidationError(operation, `maxRetries must be a positive integer, got ${maxRetries}`);
  }
  if (retryDelays !== undefined) {
    if (!Array.isArray(retryDelays) || retryDelays.length === 0) {
      throw new ValidationError(operation, 'retryDelays must be a non-empty array of milliseconds');
    }
    retryDelays.forEach((delay, i) => checkDuration(operation, `retryDelays[${i}]`, delay));
  }
  if (prefix !== undefined && (typeof prefix !== 'string' || prefix === '' || /[{}]/.test(prefix))) {
    throw new ValidationError(operation, `prefix must be a non-empty string without braces, got ${JSON.stringify(prefix)}`);
  }
  if (config.durability !== undefined && config.durability !== 'primary' && config.durability !== 'replicated') {
    throw new ValidationError(operation, `durability must be "primary" or "replicated", got ${JSON.stringify(config.durability)}`);
  }
  const { maxPayloadBytes } = config;
  if (maxPayloadBytes !== undefined && (!Number.isInteger(maxPayloadBytes) || maxPayloadBytes < 2 || maxPayloadBytes > 512 * 1024 * 1024)) {
    throw new ValidationError(operation, `maxPayloadBytes must be an integer from 2 to ${512 * 1024 * 1024}, got ${maxPayloadBytes}`);
  }
  checkShards(operation, config.shards);
  for (const [name, value] of [['poolSize', config.poolSize], ['minIdleConns', config.minIdleConns]] as const) {
    if (value !== undefined && (!Number.isInteger(value) || value < 0)) {
      throw new ValidationError(operation, `${name} must be a non-negative integer, got ${value}`);
    }
  }
}

/** Checks the settings of `connect`: unknown keys, then each value. */
export function checkConfig(config: RedisQueueConfig): void {
  checkOptions('connect', connectOptions, config);
  checkValues('connect', config);
}

/** Checks the settings of `queue()`, the per-queue part of `connect`'s. */
export function checkSettings(settings: QueueSettings): void {
  checkOptions('queue', settingsOptions, settings);
  checkValues('queue', settings);
}
