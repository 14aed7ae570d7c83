// A queue handle's connection: the client sibling queues share, and the parts each handle builds over it.
import { Pipeline } from 'ioredis';
import { openClient, redisOptions, type RedisClient } from './connection.js';
import { loadScriptsIfAllowed } from './library.js';
import { checkDataFormat } from './data-format.js';
import { DEFAULTS } from './defaults.js';
import { CallCutOffError, ConnectionError, QueueClosedError, isRedisUnreachable, unreachableReason } from './errors.js';
import { JobAdder } from './job-adder.js';
import { queueKeys } from './keys.js';
import { OperationsStore, registerQueue } from './operations-store.js';
import type { RedisQueue } from './queue.js';
import { shardSettings } from './queue-config.js';
import { QueueStore, type WorkerStore } from './store.js';
import { ShardedStore } from './sharded-store.js';
import { shardTags, shardedId } from './shards.js';
import { newJobIds } from './ids.js';
import { QueueSchedules } from './schedules.js';
import { ScheduleStore } from './schedule-store.js';
import type { RedisQueueConfig } from './types.js';

/** A connection shared by sibling queues; the last one to close it quits the client. */
export interface SharedClient {
  client: RedisClient;
  config: RedisQueueConfig;
  users: number;
}

/** Opens the client a queue and its siblings share, with flexq's function library loaded. */
export async function openSharedClient(name: string, config: RedisQueueConfig): Promise<SharedClient> {
  const client = await openClient(config, name);
  try {
    await loadScriptsIfAllowed(client);
  } catch (err) {
    client.disconnect();
    throw new ConnectionError('connect', `Redis did not load flexq's function library (flexq needs Redis 7 or later): ${(err as Error).message}`, err);
  }
  await checkDataFormat(client, config.prefix ?? DEFAULTS.prefix).catch((err: unknown) => {
    client.disconnect();
    throw err;
  });
  return { client: reportingCutOffs(client, redisOptions(config).address), config, users: 0 };
}

/** What a call was, for an error: a script by its name, any other command by its own. */
function operationOf(command: string, args: unknown[]): string {
  const called = command === 'call' && Array.isArray(args[1]) ? String(args[1][0]) : '';
  return /^flexq_[0-9a-f]+_/.test(called) ? called.replace(/^flexq_[0-9a-f]+_/, '') : command;
}

/**
 * The shared client, with a call that Redis stopped answering (ioredis gave up on it while the
 * connection was away) rejected as a CallCutOffError naming the address: ioredis's own error names
 * an option flexq sets itself and does not say where. Every queue call, worker and console goes
 * through it, pipelines too (each command's error in `exec`'s reply); `isRedisUnreachable` tells
 * that error as it told ioredis's. Wrapped methods are made once per name: a call costs one
 * closure lookup and one `catch`.
 */
function reportingCutOffs(client: RedisClient, address: string): RedisClient {
  const cutOff = (operation: string, err: unknown): unknown =>
    isRedisUnreachable(err) ? new CallCutOffError(operation, address, unreachableReason(err as Error), err) : err;
  const reporting = <T extends object>(target: T, pipelineOf?: string): T => {
    const wrapped = new Map<PropertyKey, unknown>();
    const proxy: T = new Proxy(target, {
      get(on, property) {
        const value: unknown = Reflect.get(on, property, on);
        if (typeof value !== 'function' || property === 'constructor') return value;
        let method = wrapped.get(property);
        if (method === undefined) {
          method = (...args: unknown[]): unknown => {
            const result: unknown = Reflect.apply(value, on, args);
            // Chained calls (a pipeline's commands) keep going through the proxy.
            if (result === on) return proxy;
            const operation = pipelineOf ?? operationOf(String(property), args);
            if (result instanceof Pipeline) return reporting(result, operation);
            if (!(result instanceof Promise)) return result;
            if (pipelineOf !== undefined && property === 'exec') {
              return result.then((replies: [Error | null, unknown][] | null) =>
                replies?.map(([err, reply]) => [err === null ? null : cutOff(operation, err), reply]) ?? replies,
              (err: unknown) => {
                throw cutOff(operation, err);
              });
            }
            return result.catch((err: unknown) => {
              throw cutOff(operation, err);
            });
          };
          wrapped.set(property, method);
        }
        return method;
      },
    });
    return proxy;
  };
  return reporting(client);
}

/** What one queue handle is made of over the shared client (RedisQueue's fields of these names). */
export interface QueueParts {
  shards: QueueStore[];
  store: WorkerStore;
  operations: OperationsStore[];
  adder: JobAdder;
  schedules: QueueSchedules;
}

/** A queue handle as its parts are built from it: what every job map's queue has alike. */
type QueueHandle = Pick<RedisQueue, 'name' | 'prefix' | 'shardCount' | 'maxRetries' | 'maxPayloadBytes'>;

/** A worker as its queue handle knows it: what closing the handle asks of it. */
interface AttachedWorker {
  stop(): Promise<void>;
}

/** A handle opened on a queue's behalf (a dispatcher's queue of another name): closed with it. */
interface Dependent {
  close(): Promise<void>;
}

const handles = new WeakMap<QueueHandle, { parts: QueueParts; shared: SharedClient; workers: Set<AttachedWorker>; dependents: Set<Dependent> }>();

/**
 * Builds a queue handle's stores over the shared client (from its prefix, shard count and job
 * defaults, already set) and counts the handle as one of the client's users.
 */
export function openQueueParts(queue: QueueHandle, shared: SharedClient, config: RedisQueueConfig): QueueParts {
  const { name, prefix, shardCount, maxRetries, maxPayloadBytes } = queue;
  const storeSettings = shardSettings(config, shardCount);
  const shards = shardTags(name, shardCount).map((tag) => new QueueStore(shared.client, queueKeys(prefix, tag), storeSettings));
  const defaults = { maxAttempts: maxRetries, maxPayloadBytes };
  // Schedules live on shard 0 and add their jobs there: a tick is claimed in the same script that
  // stores its job, and one script reaches one hash slot.
  const scheduleStore = new ScheduleStore(shared.client, shards[0]!.keys, shards[0]!, storeSettings.eventsMaxLen);
  const scheduledJobId = () => shardedId(newJobIds(1)[0]!, 0, shardCount);
  const parts: QueueParts = {
    shards,
    store: shardCount === 1 ? shards[0]! : new ShardedStore(shards),
    operations: shards.map((shard) => new OperationsStore(shard)),
    adder: new JobAdder(name, shards, defaults, () => registerQueue(shared.client, prefix, name, shardCount)),
    schedules: new QueueSchedules(scheduleStore, name, scheduledJobId, maxRetries, maxPayloadBytes),
  };
  shared.users++;
  handles.set(queue, { parts, shared, workers: new Set(), dependents: new Set() });
  return parts;
}

/** Counts a running worker as one of a queue handle's; the function returned uncounts it. */
export function attachWorker(queue: QueueHandle, worker: AttachedWorker): () => void {
  const workers = handles.get(queue)?.workers;
  workers?.add(worker);
  return () => workers?.delete(worker);
}

/**
 * Stops the workers still running on a queue handle as `stop()` stops them: their jobs' outcomes
 * are stored, so the handle's connection must outlive them.
 */
export async function stopAttachedWorkers(queue: QueueHandle): Promise<void> {
  await Promise.all([...(handles.get(queue)?.workers ?? [])].map((worker) => worker.stop()));
}

/**
 * Closes `dependent` when `queue` closes: a handle the user never saw (a dispatcher's) must not
 * keep the shared connection, and so the process, alive after the queue they made is closed. The
 * function returned forgets it (closed before, by its owner).
 */
export function closeWith(queue: QueueHandle, dependent: Dependent): () => void {
  const dependents = handles.get(queue)?.dependents;
  dependents?.add(dependent);
  return () => dependents?.delete(dependent);
}

/** Drops a closed queue handle (its dependents first); the last handle of the shared client quits it. */
export async function closeQueueParts(queue: QueueHandle, shared: SharedClient): Promise<void> {
  await Promise.all([...(handles.get(queue)?.dependents ?? [])].map((dependent) => dependent.close()));
  handles.delete(queue);
  shared.users--;
  if (shared.users === 0) {
    await shared.client.quit().catch(() => shared.client.disconnect());
  }
}

/**
 * The store behind a queue (its shards behind one, for a sharded queue), each shard's own store,
 * its schedules and the shared client, for the worker; not part of the public API.
 */
export function queueInternals(queue: QueueHandle): { store: WorkerStore; shards: QueueStore[]; client: RedisClient; config: RedisQueueConfig; schedules: QueueSchedules } {
  const found = handles.get(queue);
  if (!found) throw new QueueClosedError('worker', queue.name);
  const { parts, shared } = found;
  return { store: parts.store, shards: parts.shards, client: shared.client, config: shared.config, schedules: parts.schedules };
}
