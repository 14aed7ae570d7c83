import type { RedisClient } from './connection.js';
/**
 * What `flexq doctor` and a starting host check of the Redis they use: that it can run flexq at
 * all, and what would lose jobs (an eviction policy, no persistence) or slow every call.
 */
import { performance } from 'node:perf_hooks';

/** `error`: flexq cannot work, or will lose jobs; `warn`: it works, with a risk worth knowing. */
export type CheckLevel = 'ok' | 'warn' | 'error';

/** One finding about the Redis, with what to do about it when it is not ok. */
export interface RedisCheck {
  name: 'version' | 'functions' | 'eviction' | 'memory' | 'persistence' | 'latency';
  level: CheckLevel;
  detail: string;
  fix?: string;
}

/** The fields of one INFO section. */
async function info(client: RedisClient, section: string): Promise<Record<string, string>> {
  const fields: Record<string, string> = {};
  for (const line of (await client.info(section)).split('\r\n')) {
    const at = line.indexOf(':');
    if (at > 0) fields[line.slice(0, at)] = line.slice(at + 1);
  }
  return fields;
}

/** CONFIG GET of one setting; undefined where CONFIG is disabled (as on many managed services). */
async function configValue(client: RedisClient, name: string): Promise<string | undefined> {
  try {
    const [, value] = (await client.config('GET', name)) as string[];
    return value;
  } catch {
    return undefined;
  }
}

function versionCheck(version: string): RedisCheck {
  const major = Number(version.split('.')[0]);
  return major >= 7
    ? { name: 'version', level: 'ok', detail: `Redis ${version}` }
    : { name: 'version', level: 'error', detail: `Redis ${version}: flexq runs as a Redis function library, which needs Redis 7 or later`, fix: 'upgrade Redis to 7 or later' };
}

async function functionsCheck(client: RedisClient, library: string): Promise<RedisCheck> {
  const listed = (await client.call('FUNCTION', 'LIST', 'LIBRARYNAME', library)) as unknown[];
  return listed.length > 0
    ? { name: 'functions', level: 'ok', detail: `function library ${library} loaded` }
    : { name: 'functions', level: 'error', detail: `function library ${library} is not loaded`, fix: 'connect once as a Redis user allowed FUNCTION LOAD (any flexq command does it)' };
}

function evictionCheck(policy: string): RedisCheck {
  if (policy.startsWith('allkeys-')) {
    return {
      name: 'eviction', level: 'error', detail: `maxmemory-policy ${policy} may evict queue keys when memory runs out: jobs would vanish`,
      fix: 'CONFIG SET maxmemory-policy noeviction (flexq then rejects new jobs with RedisFullError instead)',
    };
  }
  // volatile-* evicts only keys with a time to live; flexq's jobs have none.
  return { name: 'eviction', level: 'ok', detail: `maxmemory-policy ${policy}` };
}

function memoryCheck(used: number, max: number): RedisCheck {
  if (max === 0) return { name: 'memory', level: 'ok', detail: `${(used / 2 ** 20).toFixed(1)} MiB used, no maxmemory` };
  const share = used / max;
  const detail = `${(used / 2 ** 20).toFixed(1)} of ${(max / 2 ** 20).toFixed(1)} MiB used (${Math.round(share * 100)}%)`;
  return share < 0.9 ? { name: 'memory', level: 'ok', detail } : { name: 'memory', level: 'warn', detail, fix: 'raise maxmemory or trim retention (keepCompleted, keepFailed)' };
}

function persistenceCheck(aofEnabled: boolean, appendfsync: string | undefined, save: string | undefined): RedisCheck {
  if (aofEnabled) {
    const window = appendfsync === 'always' ? 'no acknowledged job is lost' : appendfsync === 'everysec' ? 'up to about a second of jobs can be lost' : 'the OS decides what is lost';
    return { name: 'persistence', level: 'ok', detail: `AOF on (appendfsync ${appendfsync ?? 'unknown'}): on a crash ${window}` };
  }
  if (save !== undefined && save.trim() !== '') {
    return { name: 'persistence', level: 'warn', detail: `RDB snapshots only (save ${save}): a crash loses the jobs since the last snapshot`, fix: 'CONFIG SET appendonly yes' };
  }
  return {
    name: 'persistence', level: 'warn', detail: save === undefined ? 'AOF off, and snapshots unknown (CONFIG is disabled)' : 'persistence off (no AOF, no snapshots): a Redis restart loses every job',
    fix: 'CONFIG SET appendonly yes',
  };
}

async function latencyCheck(client: RedisClient): Promise<RedisCheck> {
  const rounds: number[] = [];
  for (let i = 0; i < 5; i++) {
    const started = performance.now();
    await client.ping();
    rounds.push(performance.now() - started);
  }
  const median = rounds.sort((a, b) => a - b)[2]!;
  const detail = `round trip ${median.toFixed(2)} ms (median of 5)`;
  return median < 5 ? { name: 'latency', level: 'ok', detail } : { name: 'latency', level: 'warn', detail, fix: 'run the workers near Redis: every claim and outcome is a round trip' };
}

/** Checks the Redis behind `client` for flexq, whose function library is named `library`. */
export async function checkRedis(client: RedisClient, library: string): Promise<RedisCheck[]> {
  const [server, memory, persistence] = await Promise.all([info(client, 'server'), info(client, 'memory'), info(client, 'persistence')]);
  const version = versionCheck(server.redis_version ?? 'unknown');
  const checks: RedisCheck[] = [version];
  if (version.level === 'ok') checks.push(await functionsCheck(client, library));
  checks.push(
    evictionCheck(memory.maxmemory_policy ?? 'noeviction'),
    memoryCheck(Number(memory.used_memory ?? 0), Number(memory.maxmemory ?? 0)),
    persistenceCheck(persistence.aof_enabled === '1', await configValue(client, 'appendfsync'), await configValue(client, 'save')),
    await latencyCheck(client),
  );
  return checks;
}
