// Redis-side measurement: INFO commandstats / memory deltas, client-side command counting, and
// cleanup that deletes only keys under the benchmark's own prefix.
import { Redis } from 'ioredis';
import { until } from './harness.mjs';

/** Parses `INFO commandstats` into { command: calls }. */
export async function commandCalls(client) {
  const text = await client.info('commandstats');
  const calls = {};
  for (const line of text.split('\n')) {
    const m = /^cmdstat_([^:]+):calls=(\d+)/.exec(line.trim());
    if (m) calls[m[1]] = Number(m[2]);
  }
  return calls;
}

// Commands the benchmark itself sends to measure; never charged to a queue.
const MEASUREMENT = new Set(['info', 'client|list', 'scan', 'unlink', 'ping']);

/** Difference of two commandstats snapshots: { total, byCommand } (measurement commands left out). */
export function callsDelta(before, after) {
  const byCommand = {};
  let total = 0;
  for (const [cmd, calls] of Object.entries(after)) {
    if (MEASUREMENT.has(cmd)) continue;
    const d = calls - (before[cmd] ?? 0);
    if (d > 0) {
      byCommand[cmd] = d;
      total += d;
    }
  }
  return { total, byCommand };
}

/** CPU seconds Redis's main thread has used (user + system): Redis's own cost of the commands it ran. */
export async function redisCpuSeconds(client) {
  const text = await client.info('cpu');
  const read = (name) => Number(new RegExp(`${name}:([0-9.]+)`).exec(text)?.[1] ?? NaN);
  return read('used_cpu_user_main_thread') + read('used_cpu_sys_main_thread');
}

/** `used_memory` in bytes. */
export async function usedMemory(client) {
  const text = await client.info('memory');
  return Number(/used_memory:(\d+)/.exec(text)[1]);
}

/**
 * `used_memory` once Redis has finished freeing UNLINKed values in the background (a large list is
 * freed by a background thread, so right after a cleanup `used_memory` still counts it). Waits at
 * most `timeoutMs`.
 */
export async function settledMemory(client, timeoutMs = 10_000) {
  const pending = async () => Number(/lazyfree_pending_objects:(\d+)/.exec(await client.info('memory'))?.[1] ?? 0);
  await until('Redis to finish freeing unlinked keys', async () => (await pending()) === 0, timeoutMs, 10);
  return usedMemory(client);
}

/** Number of client connections Redis has open (to warn when others share it). */
export async function connectedClients(client) {
  const text = await client.info('clients');
  return Number(/connected_clients:(\d+)/.exec(text)[1]);
}

/** Samples total commands processed per second by Redis over `ms` (load from everyone). */
export async function serverOpsPerSec(client, ms = 1000) {
  const read = async () => Number(/total_commands_processed:(\d+)/.exec(await client.info('stats'))[1]);
  const a = await read();
  await new Promise((r) => setTimeout(r, ms));
  return ((await read()) - a - 1) / (ms / 1000);
}

/**
 * Deletes every key under `prefix:` and nothing else. Refuses a prefix that does not carry the
 * benchmark's marker, and checks each key before deleting it. Never FLUSHALL / FLUSHDB.
 */
export async function deletePrefix(client, prefix) {
  if (typeof prefix !== 'string' || !/^fqb-[a-z0-9]{6}-[fbyi]\d+$/.test(prefix)) {
    throw new Error(`refusing to delete keys under ${JSON.stringify(prefix)}: not a benchmark prefix`);
  }
  let cursor = '0';
  let deleted = 0;
  for (let rounds = 0; rounds < 1_000_000; rounds++) {
    const [next, keys] = await client.scan(cursor, 'MATCH', `${prefix}:*`, 'COUNT', 1000);
    const own = keys.filter((k) => k.startsWith(`${prefix}:`));
    if (own.length !== keys.length) throw new Error('SCAN returned a key outside the benchmark prefix');
    if (own.length) deleted += await client.unlink(...own);
    cursor = next;
    if (cursor === '0') break;
  }
  return deleted;
}

// --- Client-side counting: every command ioredis sends (pipelined or not) and every socket write.

const counters = { commands: 0, writes: 0, byName: new Map() };
let installed = false;

/** Patches ioredis once so that every command sent from this process is counted by name. */
export function installClientCounter() {
  if (installed) return;
  installed = true;
  const send = Redis.prototype.sendCommand;
  Redis.prototype.sendCommand = function countedSendCommand(command, stream) {
    if (this.benchAdmin) return send.call(this, command, stream); // the benchmark's own INFO/SCAN
    counters.commands++;
    // A command without a `stream` argument is written on its own; pipelines count once, below.
    if (!stream) counters.writes++;
    let name = command.name;
    if (name === 'evalsha' || name === 'eval') name = `${name}:${scriptName(this, command)}`;
    // flexq's functions are named `flexq_<version hash>_<script>`.
    if (name === 'fcall' || name === 'fcall_ro') name = `${name}:${String(command.args[0]).replace(/^flexq_[0-9a-f]+_/, '')}`;
    counters.byName.set(name, (counters.byName.get(name) ?? 0) + 1);
    return send.call(this, command, stream);
  };
  // A pipeline (explicit or auto-pipelined) reaches the socket as one write per exec.
  const proto = Object.getPrototypeOf(new Redis({ lazyConnect: true }).pipeline());
  const exec = proto.exec;
  proto.exec = function countedExec(...args) {
    if (this._queue?.length && !this.redis?.benchAdmin) counters.writes++;
    return exec.apply(this, args);
  };
}

const shaNames = new WeakMap();
function scriptName(redis, command) {
  const first = String(command.args[0] ?? '');
  let map = shaNames.get(redis);
  if (!map || !map.has(first)) {
    map = new Map();
    for (const [name, script] of Object.entries(redis.scriptsSet ?? {})) map.set(script.sha, name);
    shaNames.set(redis, map);
  }
  return map.get(first) ?? (command.name === 'eval' ? 'inline' : first.slice(0, 8));
}

/** A snapshot of the client-side counters. */
export function clientCounts() {
  return { commands: counters.commands, writes: counters.writes, byName: new Map(counters.byName) };
}

/** Difference of two client-side snapshots. */
export function clientDelta(before, after) {
  const byName = {};
  for (const [name, n] of after.byName) {
    const d = n - (before.byName.get(name) ?? 0);
    if (d > 0) byName[name] = d;
  }
  return { commands: after.commands - before.commands, writes: after.writes - before.writes, byName };
}
