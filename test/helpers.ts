import { Cluster, Redis } from 'ioredis';
import { afterAll, beforeAll, expect, inject } from 'vitest';
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { RedisQueue, ValidationError, type RedisQueueConfig } from '../src/index.js';
import { ephemeralPort, redisAnswers } from '../src/host/redis-probe.js';

/** A loopback port nothing listens on right now. */
export { ephemeralPort as freePort };

/** The Redis the tests use: REDIS_URL, or the machine's own. */
export const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';

declare module 'vitest' {
  interface ProvidedContext {
    /** Set for the `cluster` test project by test/topology/cluster-setup.ts. */
    clusterNodes?: string[];
  }
}

/**
 * The nodes of the Redis Cluster the `cluster` test project runs the engine's API tests against;
 * undefined in the main run (and outside a test).
 */
function clusterNodes(): string[] | undefined {
  try {
    return inject('clusterNodes');
  } catch {
    return undefined;
  }
}

export const CLUSTER_NODES = clusterNodes();

/** Where a test's queues connect: the cluster of the `cluster` project, else REDIS_URL. */
export function testRedisConfig(): RedisQueueConfig {
  return CLUSTER_NODES ? { cluster: { nodes: CLUSTER_NODES } } : { url: REDIS_URL };
}

/** A key prefix no other test uses. */
export function uniquePrefix(label = 't'): string {
  return `flexq-test-${label}-${randomBytes(5).toString('hex')}`;
}

/**
 * A raw client for checking keys behind the engine's back; tests own it and must quit it. Typed as
 * a plain client: every command the tests use takes a key, which a Cluster client routes too.
 */
export function rawClient(): Redis {
  if (CLUSTER_NODES) return new Cluster(CLUSTER_NODES.map((node) => ({ host: node.split(':')[0]!, port: Number(node.split(':')[1]) }))) as unknown as Redis;
  return new Redis(REDIS_URL, { lazyConnect: false, maxRetriesPerRequest: 1 });
}

/** Deletes every key under `prefix` (and nothing else). */
export async function deletePrefix(prefix: string): Promise<void> {
  const client = rawClient();
  try {
    // A cluster spreads keys over its primaries: scan each (a queue's keys share one slot).
    const nodes = client instanceof Cluster ? (await waitForNodes(client)) : [client];
    for (const node of nodes) {
      let cursor = '0';
      do {
        const [next, keys] = await node.scan(cursor, 'MATCH', `${prefix}:*`, 'COUNT', 1000);
        cursor = next;
        for (const key of keys) await node.del(key);
      } while (cursor !== '0');
    }
  } finally {
    client.disconnect();
  }
}

async function waitForNodes(cluster: Cluster): Promise<Redis[]> {
  if (cluster.status !== 'ready') await new Promise((resolve) => cluster.once('ready', resolve));
  return cluster.nodes('master');
}

/**
 * Deadlines of `waitFor` scaled by FLEXQ_WAIT_SCALE (default 1). Mutation runs (scripts/mutate.mjs)
 * shorten them: a mutant that breaks a waited-for condition is killed at the deadline, so the
 * deadlines set the run's length; the unmutated first run checks the tests still pass with them.
 */
const WAIT_SCALE = Number(process.env.FLEXQ_WAIT_SCALE ?? 1);

/**
 * Polls `condition` until it holds or `timeoutMs` passes (then throws, naming `what`). Mutation
 * runs shrink the deadline by FLEXQ_WAIT_SCALE, except with `scaled: false`: for what no mutant can
 * slow down, such as a child process of the unmutated dist/ starting up.
 */
export async function waitFor<T>(
  what: string,
  condition: () => T | Promise<T>,
  { timeoutMs: unscaledMs = 10_000, intervalMs = 10, scaled = true } = {},
): Promise<NonNullable<T>> {
  const timeoutMs = scaled ? unscaledMs * WAIT_SCALE : unscaledMs;
  const deadline = Date.now() + timeoutMs;
  let last: T | undefined;
  while (Date.now() < deadline) {
    last = await condition();
    if (last) return last as NonNullable<T>;
    await new Promise((resolve) => setTimeout(resolve, intervalMs));
  }
  throw new Error(`timed out after ${timeoutMs} ms waiting for ${what} (last value: ${String(last)})`);
}

/** A queue under a fresh prefix; `cleanup` closes it and removes its keys. */
export async function freshQueue(
  name = 'default',
  config: RedisQueueConfig = {},
): Promise<{ queue: RedisQueue; prefix: string; cleanup: () => Promise<void> }> {
  const prefix = uniquePrefix(name);
  const queue = await RedisQueue.connect(name, { ...testRedisConfig(), prefix, ...config });
  return {
    queue,
    prefix,
    cleanup: async () => {
      await queue.close();
      await deletePrefix(prefix);
    },
  };
}

/** A redis-server of a test's own, on a loopback port, without persistence. */
export interface PrivateRedis {
  port: number;
  url: string;
  /** Stops it by pid and waits for it to exit. */
  stop(signal?: NodeJS.Signals): Promise<void>;
}

/**
 * Starts a private redis-server on `port` (plus `extraArgs`, e.g. `--requirepass`); resolves once
 * it answers PING there (a NOAUTH error counts as an answer).
 */
export async function startPrivateRedis(port: number, extraArgs: readonly string[] = []): Promise<PrivateRedis> {
  // A folder of its own: a replica's full sync writes an RDB file there, which a later server
  // started in the same folder (the working directory, without --dir) would load as its data.
  const dir = mkdtempSync(join(tmpdir(), 'flexq-redis-'));
  const args = ['--bind', '127.0.0.1', '--port', String(port), '--dir', dir, '--save', '', '--appendonly', 'no', ...extraArgs];
  const child = spawn('redis-server', args, { stdio: 'ignore' });
  let gone = false;
  const exited = new Promise<void>((resolve) => child.once('exit', () => { gone = true; resolve(); }));
  await waitFor(`redis-server on port ${port}`, async () => {
    if (gone) throw new Error(`redis-server on port ${port} exited before it answered`);
    return redisAnswers({ host: '127.0.0.1', port });
  }, { timeoutMs: 10_000, intervalMs: 25 });
  return {
    port,
    url: `redis://127.0.0.1:${port}`,
    stop: async (signal = 'SIGTERM') => {
      if (!gone) child.kill(signal);
      await exited;
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/**
 * A private redis-server and an admin client on it for the tests of the calling describe block:
 * started before them, stopped after (for tests that count what is on a Redis: clients, memory).
 */
export function usePrivateRedis(): { readonly url: string; readonly admin: Redis } {
  let redis: PrivateRedis | undefined;
  let admin: Redis | undefined;
  beforeAll(async () => {
    redis = await startPrivateRedis(await ephemeralPort());
    admin = new Redis(redis.url);
  });
  afterAll(async () => {
    admin?.disconnect();
    await redis?.stop();
  });
  return {
    get url() {
      return redis!.url;
    },
    get admin() {
      return admin!;
    },
  };
}

/** The message of the ValidationError `check` throws (failing the test when it throws none or another). */
export function refusal(check: () => unknown): string {
  try {
    check();
  } catch (err) {
    expect(err).toBeInstanceOf(ValidationError);
    return (err as ValidationError).message;
  }
  throw new Error('accepted what should be refused');
}
