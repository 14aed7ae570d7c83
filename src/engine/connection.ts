/**
 * The only module that creates ioredis clients: address parsing, the first connect with a deadline,
 * reconnects with jittered backoff, and loading the Lua scripts into Redis as a function library.
 */
import { Redis, type RedisOptions } from 'ioredis';
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { DEFAULTS } from './defaults.js';
import { ConnectionError, ValidationError, isPermissionRefusal } from './errors.js';
import type { RedisQueueConfig } from './types.js';
import type { QueueKeys } from './keys.js';

/** Each script and the keys it takes, in the order its header names them as KEYS[1..n]. */
export const SCRIPT_KEYS = {
  addJobs: ['base', 'priorities', 'delayed', 'wake', 'events'],
  claimJobs: ['base', 'priorities', 'delayed', 'retrying', 'active', 'failed', 'wake', 'events', 'paused'],
  finishJobs: ['base', 'active', 'retrying', 'completed', 'failed', 'wake', 'events'],
  finishAndClaimJobs: [
    'base', 'priorities', 'delayed', 'retrying', 'active', 'completed', 'failed', 'wake', 'events', 'paused',
  ],
  extendLeases: ['base', 'active'],
  cancelJob: ['base', 'priorities', 'delayed', 'retrying', 'active', 'cancelled', 'events'],
  retryJob: ['base', 'priorities', 'failed', 'cancelled', 'wake', 'events'],
  setPriority: ['base', 'priorities', 'delayed', 'events'],
  updateProgress: ['base', 'events'],
  releaseJobs: ['base', 'priorities', 'delayed', 'active', 'wake', 'events'],
  setPaused: ['base', 'paused', 'wake', 'events'],
  getStats: ['base', 'priorities', 'delayed', 'retrying', 'active', 'completed', 'failed', 'cancelled', 'paused'],
  listPendingJobs: ['base', 'priorities', 'delayed'],
  wakeWorkers: ['base', 'wake'],
} as const satisfies Record<string, readonly (keyof QueueKeys)[]>;

/** The name of one of flexq's Lua scripts. */
export type ScriptName = keyof typeof SCRIPT_KEYS;

/** Scripts that only read: registered with Redis' `no-writes` flag, which refuses any write in them. */
const READ_ONLY: ReadonlySet<ScriptName> = new Set(['getStats', 'listPendingJobs']);

/**
 * Scripts Redis runs even when it is full (`allow-oom`): what a worker does with the jobs it holds
 * (claims take jobs off the backlog, outcomes let retention free memory), cancelling, pausing and
 * waking. A full Redis refuses the rest, adding jobs above all, before they write anything.
 */
const WHEN_FULL: ReadonlySet<ScriptName> = new Set([
  'claimJobs', 'finishJobs', 'finishAndClaimJobs', 'extendLeases', 'releaseJobs', 'cancelJob', 'setPaused', 'wakeWorkers',
]);

function flagsOf(script: ScriptName): string {
  if (READ_ONLY.has(script)) return " flags = {'no-writes'},";
  return WHEN_FULL.has(script) ? " flags = {'allow-oom'}," : '';
}

const LUA_DIR = new URL('./lua/', import.meta.url);
const INCLUDES = ['lib', 'claim', 'outcomes'];

function luaFile(path: string): string {
  return readFileSync(new URL(path, LUA_DIR), 'utf8');
}

/**
 * Every script as one Redis function library (Redis 7). Loaded once, its helpers (`lua/includes/`)
 * are made once, not again by every call as a script's would be: that saved a fifth of a claim's
 * fixed cost in Redis and much of the garbage its Lua collector had to clear. Each file of `lua/`
 * is the body of one function; the library's name carries a hash of its code, so flexq versions
 * sharing a Redis keep their own.
 */
function buildLibrary(): { name: string; source: string } {
  const helpers = INCLUDES.map((include) => luaFile(`includes/${include}.lua`)).join('\n');
  const code = (name: string) => [helpers, ...(Object.keys(SCRIPT_KEYS) as ScriptName[]).map((script) => [
    `redis.register_function{function_name = '${name}_${script}',${flagsOf(script)}`,
    'callback = function(keys, args)',
    'begin(keys, args)',
    luaFile(`${script}.lua`),
    'end}',
  ].join('\n'))].join('\n');
  const name = `flexq_${createHash('sha256').update(code('flexq')).digest('hex').slice(0, 16)}`;
  return { name, source: `#!lua name=${name}\n${code(name)}` };
}

const LIBRARY = buildLibrary();

/** Whether a script only reads (called with FCALL_RO). */
export function isReadOnly(script: ScriptName): boolean {
  return READ_ONLY.has(script);
}

/** The name of the function library this flexq loads. */
export const LIBRARY_NAME = LIBRARY.name;

/** The name Redis knows a script's function by. */
export function functionName(script: ScriptName): string {
  return `${LIBRARY.name}_${script}`;
}

/** Loads (or reloads: Redis forgets functions when it restarts without persistence) flexq's library. */
export async function loadScripts(client: Redis): Promise<void> {
  try {
    await client.call('FUNCTION', 'LOAD', LIBRARY.source);
  } catch (err) {
    // Its name is a hash of its code: a library of that name is this very code, loaded before.
    if (!(err instanceof Error) || !/already exists/i.test(err.message)) throw err;
  }
}

/**
 * Loads the library as a queue connects. A user whose ACL rules forbid FUNCTION LOAD (a read-only
 * user) goes on: a full user loads it, and a call that finds it missing says so then.
 */
export async function loadScriptsIfAllowed(client: Redis): Promise<void> {
  try {
    await loadScripts(client);
  } catch (err) {
    if (!isPermissionRefusal(err)) throw err;
  }
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
  } else {
    const addr = config.addr ?? DEFAULTS.addr;
    const match = /^(?:\[([^\]]+)\]|([^:]+)):(\d{1,5})$/.exec(addr);
    const port = Number(match?.[3]);
    if (!match || port < 1 || port > 65535) {
      throw new ValidationError('connect', `addr must be "host:port", got ${JSON.stringify(addr)}`);
    }
    options.host = match[1] ?? match[2];
    options.port = port;
    address = addr;
  }
  if (config.username !== undefined) options.username = config.username;
  if (config.password) options.password = config.password;
  if (config.db !== undefined) {
    if (!Number.isInteger(config.db) || config.db < 0) {
      throw new ValidationError('connect', `db must be a non-negative integer, got ${config.db}`);
    }
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

/**
 * Opens a client and waits until it is ready, at most `connectTimeout` ms. On failure the client is
 * torn down (no reconnect timer is left behind) and the error names the address.
 */
export async function openClient(config: RedisQueueConfig, role: string): Promise<Redis> {
  const { options, address } = redisOptions(config);
  const connectTimeout = config.connectTimeout ?? DEFAULTS.connectTimeout;
  const client = new Redis({
    ...options,
    lazyConnect: true,
    connectTimeout,
    // Calls made while Redis is away fail after a couple of reconnects rather than hang forever.
    maxRetriesPerRequest: 2,
    retryStrategy: reconnectDelay,
    enableAutoPipelining: true,
    // Script calls carry batches already; a pipeline around each would only add work and delay.
    autoPipeliningIgnoredCommands: ['fcall', 'fcall_ro'],
    connectionName: `flexq:${role}`,
    // disconnect() destroys the socket at once; a grace timer would keep a failed connect's
    // process alive. Closing normally goes through QUIT, which this does not affect.
    disconnectTimeout: 0,
  });
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
    if (options.db) await client.select(options.db);
    return client;
  } catch (err) {
    client.disconnect();
    const reason = (lastError ?? (err as Error)).message;
    // A TLS port answers a plaintext hello by closing the connection.
    const hint = options.tls === undefined && /ECONNRESET|Connection is closed/.test(reason)
      ? ' (is this a TLS port? use a rediss:// url or the tls option)' : '';
    throw new ConnectionError('connect', `cannot reach Redis at ${address}: ${reason}${hint}`, err);
  } finally {
    clearTimeout(timer);
  }
}

