import { readFileSync } from 'node:fs';
import type { QueueSettings as EngineQueueSettings } from '../engine/queue.js';
import type { RedisQueueConfig } from '../engine/types.js';
import type { Env } from './config.js';
import type { HostConfig, QueueSettings, RedisSettings } from './config-types.js';
import { findRunningEmbeddedRedis, startEmbeddedRedis, type EmbeddedRedis } from '../host/embedded-redis.js';
import { parseHostPort, redisAnswers } from '../host/redis-probe.js';

/**
 * Where to look for "a Redis already answering" when none is configured; `localhost:6379` by
 * default. Tests point it at a free port to exercise the embedded server on a machine that runs Redis.
 */
export const PROBE_ADDR_ENV = 'FLEXQ_EMBEDDED_PROBE_ADDR';

/** The Redis flexq talks to, and the embedded server behind it when flexq started one. */
export interface RedisTarget {
  settings: RedisSettings;
  /** `host:port`, without credentials, for logs and the console. */
  address: string;
  embedded?: EmbeddedRedis;
}

/** Where the settings point, without credentials: `host:port`, or the cluster's or sentinels' nodes. */
export function describeRedisAddress(settings: RedisSettings): string {
  if (settings.cluster !== undefined) return `cluster ${settings.cluster.join(',')}`;
  if (settings.sentinel !== undefined) return `sentinel "${settings.sentinel.name}" via ${settings.sentinel.nodes.join(',')}`;
  if (settings.url === undefined) return settings.addr ?? 'localhost:6379';
  const url = new URL(settings.url);
  return `${url.hostname}:${url.port === '' ? 6379 : url.port}`;
}

function atAddr(config: HostConfig, addr: string): RedisSettings {
  const { url: _url, ...rest } = config.redis;
  return { ...rest, addr };
}

function probeAddr(config: HostConfig, env: Env): string {
  return env[PROBE_ADDR_ENV] || config.redis.addr || 'localhost:6379';
}

/**
 * The Redis for the worker host: the configured one; with none configured, whatever answers on
 * the default address, or else a redis-server that flexq starts under `<cwd>/.flexq/`.
 */
export async function redisForHost(config: HostConfig, env: Env, cwd: string): Promise<RedisTarget> {
  if (config.redisConfigured) return { settings: config.redis, address: describeRedisAddress(config.redis) };
  const probed = probeAddr(config, env);
  const probe = parseHostPort(probed);
  if (await redisAnswers(probe)) return { settings: atAddr(config, probed), address: probed };
  const embedded = await startEmbeddedRedis({ cwd, preferredPort: probe.port, probed, path: env['PATH'] });
  return { settings: atAddr(config, embedded.addr), address: embedded.addr, embedded };
}

/**
 * The Redis for a one-shot command: the configured one; with none configured, whatever answers on
 * the default address, else the embedded server a `flexq` in this folder runs, else the default
 * address (whose connect error then says what is missing).
 */
export async function redisForCommand(config: HostConfig, env: Env, cwd: string): Promise<RedisTarget> {
  if (config.redisConfigured) return { settings: config.redis, address: describeRedisAddress(config.redis) };
  const probed = probeAddr(config, env);
  if (await redisAnswers(parseHostPort(probed))) return { settings: atAddr(config, probed), address: probed };
  const embedded = await findRunningEmbeddedRedis(cwd);
  return embedded === undefined
    ? { settings: atAddr(config, probed), address: probed }
    : { settings: atAddr(config, embedded), address: embedded };
}

/** A queue's job defaults and retention, as the engine takes them per queue. */
export function queueSettings(queue: QueueSettings): EngineQueueSettings {
  return {
    maxRetries: queue.maxRetries,
    retryDelays: queue.retryDelays,
    keepCompleted: queue.retention.completed,
    keepFailed: queue.retention.failed,
    ...(queue.maxPayloadBytes === undefined ? {} : { maxPayloadBytes: queue.maxPayloadBytes }),
    ...(queue.shards === undefined ? {} : { shards: queue.shards }),
  };
}

/** The engine's queue config for one configured queue on the target connection. */
export function queueConfig(redis: RedisSettings, queue: QueueSettings): RedisQueueConfig {
  const config: RedisQueueConfig = { prefix: redis.prefix, connectTimeout: redis.connectTimeout, ...queueSettings(queue) };
  if (redis.url !== undefined) config.url = redis.url;
  if (redis.addr !== undefined) config.addr = redis.addr;
  if (redis.cluster !== undefined) config.cluster = { nodes: redis.cluster };
  if (redis.sentinel !== undefined) config.sentinel = redis.sentinel;
  if (redis.durability !== undefined) config.durability = redis.durability;
  if (redis.username !== undefined) config.username = redis.username;
  if (redis.password !== undefined) config.password = redis.password;
  if (redis.db !== undefined) config.db = redis.db;
  if (redis.tls !== undefined) {
    const { rejectUnauthorized, servername, caFile } = redis.tls;
    config.tls = {
      rejectUnauthorized,
      ...(servername === undefined ? {} : { servername }),
      ...(caFile === undefined ? {} : { ca: readFileSync(caFile, 'utf8') }),
    };
  }
  return config;
}
