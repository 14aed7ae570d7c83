import { RedisQueue } from '../engine/queue.js';
import type { QueueSettings, RedisSettings } from './config-types.js';
import { queueConfig } from './redis-target.js';

/** The configured queues, connected. */
export interface QueueSet {
  /** In config order. */
  queues: RedisQueue[];
  /** The named configured queue (the first when `name` is undefined); throws for an unknown name. */
  get(name?: string): RedisQueue;
  /** The settings of the named configured queue. */
  settings(name: string): QueueSettings;
  close(): Promise<void>;
}

/** Settings the engine keeps per connection rather than per queue (see `RedisQueue.queue`). */
function connectionKey(queue: QueueSettings): string {
  return JSON.stringify([queue.maxRetries, queue.retryDelays, queue.retention]);
}

/**
 * Connects every configured queue. Queues share one connection (`queue.queue(name)`) unless their
 * retries or retention differ: the engine takes those from the connection's config, so such a
 * queue gets a connection of its own rather than silently the first queue's settings.
 */
export async function connectQueues(redis: RedisSettings, configured: readonly QueueSettings[]): Promise<QueueSet> {
  const byKey = new Map<string, RedisQueue>();
  const queues: RedisQueue[] = [];
  try {
    for (const settings of configured) {
      const key = connectionKey(settings);
      const sibling = byKey.get(key);
      const queue = sibling ? sibling.queue(settings.name) : await RedisQueue.connect(settings.name, queueConfig(redis, settings));
      if (!sibling) byKey.set(key, queue);
      queues.push(queue);
    }
  } catch (error) {
    await Promise.all(queues.map((queue) => queue.close()));
    throw error;
  }
  const names = configured.map((queue) => queue.name);
  const indexOf = (name: string | undefined): number => {
    const index = name === undefined ? 0 : names.indexOf(name);
    if (index < 0) throw new Error(`queue '${name}' is not in the config (configured: ${names.join(', ')})`);
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
