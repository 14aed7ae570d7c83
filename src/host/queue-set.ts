import { DEFAULTS } from '../engine/defaults.js';
import { isPermissionRefusal } from '../engine/errors.js';
import { RedisQueue } from '../engine/queue.js';
import { CliUsageError } from '../cli/cli-errors.js';
import type { QueueSettings, RedisSettings } from '../config/config-types.js';
import { describeRedisAddress, queueConfig, queueSettings } from '../config/redis-target.js';

/** The configured queues, connected. */
export interface QueueSet {
  /** In config order, as the set was connected: `discover()` returns the set with the queues found since. */
  queues: RedisQueue[];
  /** The named configured queue (the first when `name` is undefined); an unknown name throws a `CliUsageError`. */
  get(name?: string): RedisQueue;
  /** The settings of the named configured queue. */
  settings(name: string): QueueSettings;
  /** A handle on the set's connection, for pings and checks even while the set holds no queue. */
  connection: RedisQueue;
  /**
   * Re-reads the queues registered under the prefix (one set and one hash: O(queues)) and adds those
   * first used since, with engine defaults; returns every queue of the set. A `none` set stays as is.
   */
  discover(): Promise<RedisQueue[]>;
  close(): Promise<void>;
}

/**
 * Which queues a set holds besides the configured ones: `add` the queues registered in Redis under
 * the prefix that the config does not name (with engine defaults); `replace` the configured ones
 * by those registered, when there are any (a command run without a flexq.toml); `registered` those
 * registered only, even none (a console without a flexq.toml shows no queue nobody used).
 */
export type Discovery = 'none' | 'add' | 'replace' | 'registered';

/** Connects every configured queue over one connection, each with its own retries and retention. */
export async function connectQueues(redis: RedisSettings, configuredQueues: readonly QueueSettings[], discovery: Discovery = 'none'): Promise<QueueSet> {
  const [first] = configuredQueues;
  if (!first) throw new Error('the config names no queue');
  let primary: RedisQueue;
  try {
    primary = await RedisQueue.connect(first.name, queueConfig(redis, first));
  } catch (error) {
    throw explainConnectError(error, redis);
  }
  const configured = discovery === 'none' ? [...configuredQueues] : await withRegistered(primary, configuredQueues, discovery, first);
  const queues = configured.map((settings) => (settings.name === first.name ? primary : primary.queue(settings.name, queueSettings(settings))));
  // The first configured queue's handle carries the connection; dropped from the set, it still must not close it early.
  if (!configured.some((settings) => settings.name === first.name)) queues.push(primary);
  const names = configured.map((queue) => queue.name);
  const foundInRedis = names.join() !== configuredQueues.map((queue) => queue.name).join();
  const indexOf = (name: string | undefined): number => {
    const index = name === undefined ? 0 : names.indexOf(name);
    if (index < 0) {
      throw new CliUsageError(foundInRedis
        ? `queue '${name}' is neither in the config nor used in Redis (known: ${names.join(', ')})`
        : `queue '${name}' is not in the config (configured: ${names.join(', ')})`);
    }
    return index;
  };
  const discover = async (): Promise<RedisQueue[]> => {
    if (discovery !== 'none') {
      for (const settings of await withRegistered(primary, configured, 'add', first)) {
        if (names.includes(settings.name)) continue;
        // Before the connection's handle, when the set does not hold it: the set is queues' first part.
        queues.splice(configured.length, 0, primary.queue(settings.name, queueSettings(settings)));
        configured.push(settings);
        names.push(settings.name);
      }
    }
    return queues.slice(0, configured.length);
  };
  return {
    queues: queues.slice(0, configured.length),
    get: (name) => queues[indexOf(name)]!,
    settings: (name) => configured[indexOf(name)]!,
    connection: primary,
    discover,
    close: async () => {
      await Promise.all(queues.map((queue) => queue.close()));
    },
  };
}

/** The job settings of a queue found in Redis but not in the config: the engine's own. */
const ENGINE_JOB_DEFAULTS = {
  maxRetries: DEFAULTS.maxRetries,
  retryDelays: [...DEFAULTS.retryDelays],
  retention: { completed: { ...DEFAULTS.keepCompleted }, failed: { ...DEFAULTS.keepFailed } },
};

/**
 * The configured queues plus (or, for `replace` and `registered`, instead of) those registered in
 * Redis; a queue found there takes `template`'s host settings.
 */
async function withRegistered(
  primary: RedisQueue, configured: readonly QueueSettings[], discovery: Discovery, template: QueueSettings,
): Promise<QueueSettings[]> {
  // A Redis user whose ACL rules lack SMEMBERS sees the configured queues alone.
  const unlessRefused = (error: unknown) => {
    if (isPermissionRefusal(error)) return undefined;
    throw error;
  };
  const registered = (await primary.listQueues().catch(unlessRefused)) ?? [];
  const shardCounts = (await primary.listQueueShards().catch(unlessRefused)) ?? {};
  // Engine defaults and the shard count it was used with for each; the first configured queue's
  // host settings (concurrency, timeout) are placeholders no worker uses.
  const { shards: _shards, rateLimit: _rateLimit, groupConcurrency: _groupCap, ...placeholders } = template;
  const found = (name: string): QueueSettings => {
    const shards = shardCounts[name];
    return { ...placeholders, name, ...ENGINE_JOB_DEFAULTS, ...(shards === undefined ? {} : { shards }) };
  };
  if (discovery === 'registered' || (discovery === 'replace' && registered.length > 0)) return registered.map(found);
  const known = new Set(configured.map((queue) => queue.name));
  return [...configured, ...registered.filter((name) => !known.has(name)).map(found)];
}

/**
 * A connect error in the user's terms. Redis refuses a `db` beyond its `databases` setting with
 * "ERR DB index is out of range"; that is a setting to fix, not a Redis that cannot be reached.
 */
export function explainConnectError(error: unknown, redis: RedisSettings): unknown {
  if (!(error instanceof Error) || !/DB index is out of range/i.test(error.message)) return error;
  const db = redis.db === undefined ? 'such database (the one its url names)' : `db ${redis.db}`;
  return new Error(
    `Redis at ${describeRedisAddress(redis)} has no ${db}: DB index out of range (set [redis] db or FLEXQ_REDIS_DB below the server's "databases" setting, 16 by default)`,
    { cause: error },
  );
}
