import { RedisQueue } from '../engine/queue.js';
import { CliUsageError } from '../cli/cli-errors.js';
import type { QueueSettings, RedisSettings } from '../config/config-types.js';
import { describeRedisAddress, queueConfig, queueSettings } from '../config/redis-target.js';

/** The configured queues, connected. */
export interface QueueSet {
  /** In config order. */
  queues: RedisQueue[];
  /** The named configured queue (the first when `name` is undefined); an unknown name throws a `CliUsageError`. */
  get(name?: string): RedisQueue;
  /** The settings of the named configured queue. */
  settings(name: string): QueueSettings;
  close(): Promise<void>;
}

/** Connects every configured queue over one connection, each with its own retries and retention. */
export async function connectQueues(redis: RedisSettings, configured: readonly QueueSettings[]): Promise<QueueSet> {
  const [first, ...rest] = configured;
  if (!first) throw new Error('the config names no queue');
  let primary: RedisQueue;
  try {
    primary = await RedisQueue.connect(first.name, queueConfig(redis, first));
  } catch (error) {
    throw explainConnectError(error, redis);
  }
  const queues = [primary, ...rest.map((settings) => primary.queue(settings.name, queueSettings(settings)))];
  const names = configured.map((queue) => queue.name);
  const indexOf = (name: string | undefined): number => {
    const index = name === undefined ? 0 : names.indexOf(name);
    if (index < 0) throw new CliUsageError(`queue '${name}' is not in the config (configured: ${names.join(', ')})`);
    return index;
  };
  return {
    queues,
    get: (name) => queues[indexOf(name)]!,
    settings: (name) => configured[indexOf(name)]!,
    close: async () => {
      await Promise.all(queues.map((queue) => queue.close()));
    },
  };
}

/**
 * A connect error in the user's terms. Redis refuses a `db` beyond its `databases` setting with
 * "ERR DB index is out of range"; that is a setting to fix, not a Redis that cannot be reached.
 */
export function explainConnectError(error: unknown, redis: RedisSettings): unknown {
  if (!(error instanceof Error) || !/DB index is out of range/i.test(error.message)) return error;
  const db = redis.db === undefined ? 'the url\'s database' : `db ${redis.db}`;
  return new Error(
    `Redis at ${describeRedisAddress(redis)} has no ${db}: DB index out of range (set [redis] db or FLEXQ_REDIS_DB below the server's "databases" setting, 16 by default)`,
    { cause: error },
  );
}
