/**
 * An idle worker's wait on the wake lists of all its queue's shards. A BLPOP on a cluster takes only
 * keys of one slot, and the shards are in different slots (on different primaries, as a rule), so
 * each shard has a WakeWaiter and a blocking connection of its own; the wait ends when any of them
 * ends. A marker one of them takes after that is kept or handed back to its own shard (wake-waiter.ts).
 */
import { duplicateClient, type RedisClient } from './connection.js';
import type { Reachability } from './reachability.js';
import type { QueueStore } from './store.js';
import { WakeWaiter, type WaiterHooks } from './wake-waiter.js';

/** A worker's idle wait, and the connections it holds open. */
export interface IdleWaiter {
  /** Waits until there may be work on some shard, or `interrupted` resolves. */
  idle(interrupted: Promise<void>): Promise<void>;
  /** Drops the blocking connections (a wait under way ends as failed). */
  close(): void;
}

/** Opens one blocking connection per shard (one in all for an unsharded queue) and waits on them. */
export function openIdleWaiter(
  shards: readonly QueueStore[], client: RedisClient, role: string, pollTime: number, reachability: Reachability, hooks: WaiterHooks,
): IdleWaiter {
  const connections = shards.map(() => {
    const blocking = duplicateClient(client, role);
    blocking.on('error', () => {}); // failures surface where the wait is awaited
    return blocking;
  });
  const waiters = shards.map((store, i) => new WakeWaiter(store, connections[i]!, pollTime, reachability, hooks));
  return {
    async idle(interrupted) {
      if (waiters.length === 1) return waiters[0]!.idle(interrupted);
      let ended!: () => void;
      const anyEnded = new Promise<void>((resolve) => (ended = resolve));
      const stop = Promise.race([interrupted, anyEnded]);
      await Promise.race(waiters.map((waiter) => waiter.idle(stop)));
      ended();
    },
    close() {
      for (const blocking of connections) blocking.disconnect();
    },
  };
}
