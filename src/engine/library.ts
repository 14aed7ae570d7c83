/**
 * flexq's Lua scripts as one Redis function library: which keys each script takes, how the library
 * is built from `lua/`, and loading it on every primary that serves the queue.
 */
import type { Redis } from 'ioredis';
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { isPermissionRefusal } from './errors.js';
import type { QueueKeys } from './keys.js';
import { primariesOf, type RedisClient } from './connection.js';

/** Each script and the keys it takes, in the order its header names them as KEYS[1..n]. */
export const SCRIPT_KEYS = {
  addJobs: ['base', 'priorities', 'delayed', 'wake', 'events'],
  claimJobs: ['base', 'priorities', 'delayed', 'retrying', 'active', 'failed', 'wake', 'events', 'paused'],
  finishJobs: ['base', 'active', 'retrying', 'completed', 'failed', 'wake', 'events'],
  finishAndClaimJobs: [
    'base', 'priorities', 'delayed', 'retrying', 'active', 'completed', 'failed', 'wake', 'events', 'paused',
  ],
  extendLeases: ['base', 'active'],
  cancelJob: ['base', 'delayed', 'retrying', 'active', 'cancelled', 'events'],
  retryJob: ['base', 'priorities', 'wake', 'events'],
  setPriority: ['base', 'priorities', 'delayed', 'events'],
  updateProgress: ['base', 'events'],
  releaseJobs: ['base', 'priorities', 'delayed', 'active', 'wake', 'events'],
  setPaused: ['base', 'paused', 'wake', 'events'],
  setRateLimit: ['base', 'wake', 'events'],
  setGroupConcurrency: ['base', 'wake'],
  getRateLimit: ['base'],
  getStats: ['base', 'priorities', 'delayed', 'retrying', 'active', 'paused'],
  listPendingSources: ['base', 'priorities', 'delayed'],
  countPendingNewer: ['base', 'priorities', 'delayed'],
  countFinishedNewer: ['base', 'completed', 'failed', 'cancelled'],
  readPendingEntries: ['base', 'priorities', 'delayed'],
  wakeWorkers: ['base', 'wake'],
  retryJobs: ['base', 'priorities', 'failed', 'cancelled', 'wake', 'events'],
  removeJob: ['base', 'events'],
  cleanJobs: ['base', 'completed', 'failed', 'cancelled', 'events'],
  cancelJobs: ['base', 'priorities', 'delayed', 'retrying', 'cancelled', 'events'],
  noteAlert: ['base'],
  saveSchedule: ['base', 'schedules', 'scheduleNext', 'scheduleRuns'],
  removeSchedule: ['base', 'schedules', 'scheduleNext', 'scheduleRuns'],
  setSchedulePaused: ['base', 'schedules', 'scheduleNext', 'scheduleRuns'],
  fireSchedule: ['base', 'priorities', 'wake', 'events', 'schedules', 'scheduleNext', 'scheduleRuns'],
  getDueSchedules: ['base', 'schedules', 'scheduleNext'],
  markHandlerStop: ['base', 'events'],
} as const satisfies Record<string, readonly (keyof QueueKeys)[]>;

/** The name of one of flexq's Lua scripts. */
export type ScriptName = keyof typeof SCRIPT_KEYS;

/** Scripts that only read: registered with Redis' `no-writes` flag, which refuses any write in them. */
const READ_ONLY: ReadonlySet<ScriptName> = new Set(['getStats', 'listPendingSources', 'countPendingNewer', 'countFinishedNewer', 'readPendingEntries', 'getDueSchedules', 'getRateLimit']);

/**
 * Scripts Redis runs even when it is full (`allow-oom`): what a worker does with the jobs it holds
 * (claims take jobs off the backlog, outcomes let retention free memory), cancelling, pausing and
 * waking. A full Redis refuses the rest, adding jobs above all, before they write anything.
 */
const WHEN_FULL: ReadonlySet<ScriptName> = new Set([
  'claimJobs', 'finishJobs', 'finishAndClaimJobs', 'extendLeases', 'releaseJobs', 'cancelJob', 'cancelJobs', 'setPaused', 'wakeWorkers', 'markHandlerStop',
  'setRateLimit', 'setGroupConcurrency',
]);

function flagsOf(script: ScriptName): string {
  if (READ_ONLY.has(script)) return " flags = {'no-writes'},";
  return WHEN_FULL.has(script) ? " flags = {'allow-oom'}," : '';
}

const LUA_DIR = new URL('./lua/', import.meta.url);
// In order of use: claim and outcomes call history's, unique's and ratelimit's helpers.
const INCLUDES = [
  'lib', 'ready-lists', 'new-jobs', 'schedule', 'ready-order', 'history', 'finished', 'operations', 'unique', 'ratelimit', 'turns', 'claim', 'outcomes',
];

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

async function loadOn(node: Redis): Promise<void> {
  try {
    await node.call('FUNCTION', 'LOAD', LIBRARY.source);
  } catch (err) {
    // Its name is a hash of its code: a library of that name is this very code, loaded before.
    if (!(err instanceof Error) || !/already exists/i.test(err.message)) throw err;
  }
}

/**
 * Loads (or reloads) flexq's library on every primary the client reaches: Redis forgets functions
 * when it restarts without persistence, and a cluster's new or promoted primary may not have them.
 * Replicas get it from their primary.
 */
export async function loadScripts(client: RedisClient): Promise<void> {
  // A primary that is down (mid-failover) must not keep the others from getting the library.
  const results = await Promise.allSettled(primariesOf(client).map(loadOn));
  const failed = results.find((result): result is PromiseRejectedResult => result.status === 'rejected');
  if (failed && results.every((result) => result.status === 'rejected')) throw failed.reason;
}

/**
 * Loads the library as a queue connects. A user whose ACL rules forbid FUNCTION LOAD (a read-only
 * user) goes on: a full user loads it, and a call that finds it missing says so then.
 */
export async function loadScriptsIfAllowed(client: RedisClient): Promise<void> {
  try {
    await loadScripts(client);
  } catch (err) {
    if (!isPermissionRefusal(err)) throw err;
  }
}
