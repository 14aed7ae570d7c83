/**
 * A queue of 3 shards and the store a worker of it calls (ShardedStore), with each shard reached
 * through a fault proxy of its own, so that one shard can refuse calls (Redis answers them with an
 * error) or have its calls counted while the others answer as usual. Jobs go to a chosen shard.
 */
import { afterEach, beforeEach } from 'vitest';
import { RedisQueue } from '../../src/index.js';
import { encodeNewJob } from '../../src/engine/codec.js';
import { openClient, type RedisClient } from '../../src/engine/connection.js';
import { newJobIds } from '../../src/engine/ids.js';
import { functionName, type ScriptName } from '../../src/engine/library.js';
import { queueInternals } from '../../src/engine/queue-connection.js';
import { ShardedStore } from '../../src/engine/sharded-store.js';
import { shardedId } from '../../src/engine/shards.js';
import { QueueStore } from '../../src/engine/store.js';
import type { ClaimRequest } from '../../src/engine/worker-wire.js';
import { startFaultProxy, type FaultProxy } from '../fault-proxy.js';
import { REDIS_URL, deletePrefix, rawClient, testRedisConfig, uniquePrefix } from '../helpers.js';

export const SHARDS = 3;
export const LEASE_MS = 60_000;

export interface ShardedRig {
  queue: RedisQueue;
  /** The store under test: its shards' calls go through `proxies`. */
  store: ShardedStore;
  /** Each shard's store on the queue's own client, past the proxies: for seeding and checking. */
  direct: QueueStore[];
  proxies: FaultProxy[];
  raw: ReturnType<typeof rawClient>;
  /** Stores `count` jobs of type `t` on `shard` (due after `delay` ms, if given); their ids. */
  pushTo(shard: number, count?: number, delay?: number): Promise<string[]>;
  /** Makes Redis refuse `script`'s calls of `shard` (each call fails) until allow(). */
  refuse(shard: number, script: ScriptName): void;
  allow(shard: number): void;
  /** Counts the calls of `script` made on `shard` from now on. */
  count(shard: number, script: ScriptName): () => number;
  status(id: string): Promise<string | null>;
}

/** The shard a job id names. */
export const shardOf = (id: string): number => Number(id.split('-')[0]);

let requests = 0;
/** A claim request that no other claim of the test uses, starting its round at shard `start`. */
export function requestFrom(start: number): ClaimRequest {
  requests += SHARDS;
  return { slot: `rig:${requests}`, seq: requests + start };
}

/** A fresh rig before each test of the calling file, torn down after it. */
export function useShardedRig(): ShardedRig {
  let rig: ShardedRig;
  let prefix: string;
  let clients: RedisClient[] = [];
  beforeEach(async () => {
    prefix = uniquePrefix('sharded-store');
    const queue = await RedisQueue.connect('q', { ...testRedisConfig(), prefix, shards: SHARDS });
    const direct = queueInternals(queue).shards;
    const port = Number(new URL(REDIS_URL).port || 6379);
    const proxies = await Promise.all(direct.map(() => startFaultProxy({ host: '127.0.0.1', port })));
    clients = await Promise.all(proxies.map((proxy) => openClient({ url: proxy.url }, 'test-sharded-store')));
    const store = new ShardedStore(direct.map((shard, i) => new QueueStore(clients[i]!, shard.keys, shard.settings)));
    rig = {
      queue,
      store,
      direct,
      proxies,
      raw: rawClient(),
      pushTo: async (shard, count = 1, delay) => {
        const ids = newJobIds(count).map((id) => shardedId(id, shard, SHARDS));
        await direct[shard]!.addJobs(ids.map((id, n) => encodeNewJob('push', id, { type: 't', payload: { n } }, delay, 3, 1_000_000)));
        return ids;
      },
      refuse: (shard, script) => proxies[shard]!.refuseCallsTo(functionName(script)),
      allow: (shard) => proxies[shard]!.allowCalls(),
      count: (shard, script) => proxies[shard]!.countCallsTo(functionName(script)),
      status: (id) => queue.getJobStatus(id),
    };
  });
  afterEach(async () => {
    for (const client of clients) client.disconnect();
    await Promise.all(rig.proxies.map((proxy) => proxy.close()));
    rig.raw.disconnect();
    await rig.queue.close();
    await deletePrefix(prefix);
  });
  return new Proxy({} as ShardedRig, { get: (_target, key) => rig[key as keyof ShardedRig] });
}
