/**
 * The only module that creates ioredis clients: one Redis, a Sentinel-watched primary or a Redis
 * Cluster. Address parsing, the first connect with a deadline, reconnects with jittered backoff.
 * Topology is ioredis's own: its Cluster client routes each call by its keys' slot and follows
 * MOVED and failovers; its Sentinel client asks the sentinels for the primary after every drop.
 */
import calculateSlot from 'cluster-key-slot';
import { Cluster, Redis, type ClusterOptions, type RedisOptions } from 'ioredis';
import { DEFAULTS } from './defaults.js';
import { ConnectionError, ValidationError } from './errors.js';
import type { RedisQueueConfig } from './types.js';

/** A connection to any of the topologies: every call flexq makes works on both. */
export type RedisClient = Redis | Cluster;

function parseAddress(addr: unknown, name: string): { host: string; port: number } {
  const match = typeof addr === 'string' ? /^(?:\[([^\]]+)\]|([^:]+)):(\d{1,5})$/.exec(addr) : null;
  const port = Number(match?.[3]);
  if (!match || port < 1 || port > 65535) throw new ValidationError('connect', `${name} must be "host:port", got ${JSON.stringify(addr)}`);
  return { host: (match[1] ?? match[2])!, port };
}

function parseNodes(nodes: unknown, name: string): { host: string; port: number }[] {
  if (!Array.isArray(nodes) || nodes.length === 0) throw new ValidationError('connect', `${name} must be a non-empty list of "host:port"`);
  return nodes.map((node, i) => parseAddress(node, `${name}[${i}]`));
}

/** Where a config points, as ioredis options plus a printable address for error messages. */
export function redisOptions(config: RedisQueueConfig): { options: RedisOptions; address: string } {
  const options: RedisOptions = {};
  let address: string;
  if (config.url !== undefined) {
    let url: URL;
    try {
      url = new URL(config.url);
    } catch {
      throw new ValidationError('connect', `url must look like redis://host:port/db, got ${JSON.stringify(config.url)}`);
    }
    if (url.protocol !== 'redis:' && url.protocol !== 'rediss:') {
      throw new ValidationError('connect', `url must start with redis:// or rediss://, got ${JSON.stringify(config.url)}`);
    }
    options.host = url.hostname.replace(/^\[(.*)\]$/, '$1') || 'localhost';
    options.port = url.port ? Number(url.port) : 6379;
    if (url.username) options.username = decodeURIComponent(url.username);
    if (url.password) options.password = decodeURIComponent(url.password);
    const db = url.pathname.replace(/^\//, '');
    if (db !== '') {
      if (!/^\d+$/.test(db)) throw new ValidationError('connect', `url database must be a number, got ${JSON.stringify(db)}`);
      options.db = Number(db);
    }
    if (url.protocol === 'rediss:') options.tls = {};
    address = `${url.hostname}:${options.port}`;
  } else if (config.addr !== undefined || (config.cluster === undefined && config.sentinel === undefined)) {
    const addr = config.addr ?? DEFAULTS.addr;
    Object.assign(options, parseAddress(addr, 'addr'));
    address = addr;
  } else if (config.cluster !== undefined) {
    address = `cluster ${parseNodes(config.cluster.nodes, 'cluster.nodes').map((n) => `${n.host}:${n.port}`).join(',')}`;
  } else {
    const { name, nodes } = config.sentinel!;
    if (typeof name !== 'string' || name === '') throw new ValidationError('connect', 'sentinel.name must name the monitored primary');
    options.sentinels = parseNodes(nodes, 'sentinel.nodes');
    options.name = name;
    if (config.sentinel!.password !== undefined) options.sentinelPassword = config.sentinel!.password;
    if (config.sentinel!.username !== undefined) options.sentinelUsername = config.sentinel!.username;
    address = `sentinel primary "${name}" via ${(nodes as string[]).join(',')}`;
  }
  if (config.username !== undefined) options.username = config.username;
  if (config.password) options.password = config.password;
  if (config.db !== undefined) {
    if (!Number.isInteger(config.db) || config.db < 0) {
      throw new ValidationError('connect', `db must be a non-negative integer, got ${config.db}`);
    }
    if (config.cluster !== undefined && config.db !== 0) throw new ValidationError('connect', 'db must be 0 on a Redis Cluster');
    options.db = config.db;
  }
  if (config.tls) options.tls = { ...options.tls, ...config.tls };
  return { options, address };
}

/** Reconnect delay: exponential from 50 ms up to 2 s, with jitter so many clients do not stampede. */
function reconnectDelay(attempt: number): number {
  const ceiling = Math.min(2_000, 50 * 2 ** Math.min(attempt, 6));
  return Math.round(ceiling / 2 + Math.random() * (ceiling / 2));
}

/** What every connection of flexq shares, whatever the topology. */
function connectionOptions(connectTimeout: number, role: string): RedisOptions {
  return {
    connectTimeout,
    // Calls made while Redis is away fail after a couple of reconnects rather than hang forever.
    maxRetriesPerRequest: 2,
    retryStrategy: reconnectDelay,
    connectionName: `flexq:${role}`,
    // disconnect() destroys the socket at once; a grace timer would keep a failed connect's
    // process alive. Closing normally goes through QUIT, which this does not affect.
    disconnectTimeout: 0,
  };
}

/** Script calls carry batches already; a pipeline around each would only add work and delay. */
const PIPELINING = { enableAutoPipelining: true, autoPipeliningIgnoredCommands: ['fcall', 'fcall_ro'] };

function createClient(config: RedisQueueConfig, options: RedisOptions, role: string): RedisClient {
  const common = connectionOptions(config.connectTimeout ?? DEFAULTS.connectTimeout, role);
  if (config.cluster === undefined) return new Redis({ ...options, ...common, ...PIPELINING, lazyConnect: true, sentinelRetryStrategy: reconnectDelay });
  const clusterOptions: ClusterOptions = {
    ...PIPELINING,
    lazyConnect: true,
    redisOptions: { ...options, ...common },
    clusterRetryStrategy: reconnectDelay,
    // A failover takes the cluster a few seconds: calls wait for it rather than fail at once.
    retryDelayOnFailover: 200,
    retryDelayOnClusterDown: 200,
    retryDelayOnTryAgain: 200,
  };
  if (options.tls !== undefined) clusterOptions.dnsLookup = (address, callback) => callback(null, address);
  return new Cluster(parseNodes(config.cluster.nodes, 'cluster.nodes'), clusterOptions);
}

/**
 * The run ids of the primaries a client reaches (INFO server), sorted and joined: they change when
 * a Redis restarts or another primary takes over, which may have cost it its data.
 */
export async function runIdsOf(client: RedisClient): Promise<string> {
  const ids = await Promise.all(primariesOf(client).map(async (node) => /run_id:(\w+)/.exec(await node.info('server'))?.[1] ?? ''));
  return ids.sort().join(',');
}

/** The primaries a client reaches: the cluster's, or the one Redis (or Sentinel's primary). */
export function primariesOf(client: RedisClient): Redis[] {
  return client instanceof Cluster ? client.nodes('master') : [client];
}

/** `host:port` of the primary serving `key` on a cluster, as the client last learnt it; undefined elsewhere. */
export function primaryOfKey(client: RedisClient, key: string): string | undefined {
  return client instanceof Cluster ? client.slots[calculateSlot(key)]?.[0] : undefined;
}

/** Which kind of Redis a queue runs on, and its primaries as the client sees them now. */
export interface Topology {
  kind: 'standalone' | 'sentinel' | 'cluster';
  /** `host:port` of each primary: the cluster's, or the one Sentinel named last. */
  primaries: string[];
}

export function topologyOf(client: RedisClient): Topology {
  if (client instanceof Cluster) {
    return { kind: 'cluster', primaries: client.nodes('master').map((node) => `${node.options.host}:${node.options.port}`).sort() };
  }
  // The socket's peer: behind Sentinel, the primary it named at the last (re)connect.
  const peer = client.stream?.remoteAddress === undefined ? `${client.options.host}:${client.options.port}` : `${client.stream.remoteAddress}:${client.stream.remotePort}`;
  return { kind: client.options.sentinels ? 'sentinel' : 'standalone', primaries: [peer] };
}

/** A second connection like `client`, for a worker's blocking wait. */
export function duplicateClient(client: RedisClient, role: string): RedisClient {
  return client instanceof Cluster
    ? client.duplicate([], { redisOptions: { ...client.options.redisOptions, connectionName: `flexq:${role}` } })
    : client.duplicate({ connectionName: `flexq:${role}` });
}

/**
 * Opens a client and waits until it is ready, at most `connectTimeout` ms. On failure the client is
 * torn down (no reconnect timer is left behind) and the error names the address.
 */
export async function openClient(config: RedisQueueConfig, role: string): Promise<RedisClient> {
  const { options, address } = redisOptions(config);
  const connectTimeout = config.connectTimeout ?? DEFAULTS.connectTimeout;
  const client = createClient(config, options, role);
  let lastError: Error | undefined;
  client.on('error', (err: Error) => {
    lastError = err;
  });
  let timer: NodeJS.Timeout | undefined;
  try {
    await Promise.race([
      client.connect(),
      new Promise((_resolve, reject) => {
        timer = setTimeout(() => reject(new Error(`no answer within ${connectTimeout} ms`)), connectTimeout);
      }),
    ]);
    // ioredis reports a refused SELECT only as an 'error' event and goes on in DB 0: ask again,
    // so that a DB Redis does not have fails the connect instead of writing elsewhere.
    if (options.db && client instanceof Redis) await client.select(options.db);
    return client;
  } catch (err) {
    client.disconnect();
    // ioredis's sentinel message says it retries; this connect has given up.
    const reason = (lastError ?? (err as Error)).message.replace(/ Retrying from scratch after \d+ms\./, '');
    // A TLS port answers a plaintext hello by closing the connection (a sentinel that is not there
    // closes it too, so no hint for one).
    const hint = options.tls === undefined && config.sentinel === undefined && /ECONNRESET|Connection is closed/.test(reason)
      ? ' (is this a TLS port? use a rediss:// url or the tls option)' : '';
    throw new ConnectionError('connect', `cannot reach Redis at ${address}: ${reason}${hint}`, err);
  } finally {
    clearTimeout(timer);
  }
}
