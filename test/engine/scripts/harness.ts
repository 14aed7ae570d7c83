/**
 * A QueueStore on a real Redis under a prefix of its own, for the per-script tests: seed state with
 * the store or raw commands, run one script, then read the keys it left through `raw`.
 */
import { openClient, type RedisClient } from '../../../src/engine/connection.js';
import { SCRIPT_KEYS, functionName, loadScripts, type ScriptName } from '../../../src/engine/library.js';
import { keysFor, queueKeys, readyKey, type QueueKeys } from '../../../src/engine/keys.js';
import { QueueStore, type FinishedStatus, type StoreSettings, type StoredJob } from '../../../src/engine/store.js';
import type { EncodedJob } from '../../../src/engine/codec.js';
import { REDIS_URL, deletePrefix, rawClient, uniquePrefix, waitFor } from '../../helpers.js';

/** Generous retention, so nothing is trimmed unless a test asks for it. */
export const KEEP_ALL: StoreSettings = {
  eventsMaxLen: 10_000,
  keepCompleted: { age: 3_600_000, count: 1_000 },
  keepFailed: { age: 3_600_000, count: 1_000 },
  retentionBatch: 100,
  upkeepBatch: 1_000,
};

export interface Harness {
  store: QueueStore;
  keys: QueueKeys;
  /** The client the store runs scripts on. */
  client: RedisClient;
  /** A second client for checking keys behind the store's back. */
  raw: ReturnType<typeof rawClient>;
  prefix: string;
  /** A store of the same queue with other settings (e.g. tight retention). */
  storeWith(settings: Partial<StoreSettings>): QueueStore;
  /** The ids in the active set (below +inf: its anchor member is no job). */
  running(): Promise<string[]>;
  /** How many of `ids` have a job stored. */
  jobCount(...ids: string[]): Promise<number>;
  /** Key of a priority level's ready list. */
  ready(priority: number): string;
  /** A job's stored fields and details by their short names (status spelled out); {} when none. */
  fields(id: string): Promise<Record<string, string>>;
  /** The events stream as `[ev, ids, x?]` triples, oldest first. */
  events(): Promise<{ ev: string; ids: string; x?: string }[]>;
  /** Redis' clock in ms (the scripts' clock). */
  redisNow(): Promise<number>;
  /**
   * The jobs a finished status keeps, oldest first, with when they finished (µs): its list's live
   * entries, those whose job still has that status and finish time (lua/includes/finished.lua).
   */
  finishedTimes(status: FinishedStatus): Promise<[id: string, finishedUs: number][]>;
  /** The ids of `finishedTimes`. */
  finished(status: FinishedStatus): Promise<string[]>;
  /**
   * Makes a finished job look finished at `finishedUs`, its list entry and record both, behind the
   * scripts' back, and forgets the head's time they keep (lua/includes/finished.lua).
   */
  backdateFinished(status: FinishedStatus, id: string, finishedUs: number): Promise<void>;
  /**
   * Makes a job in a schedule ZSET (delayed, retrying, active) due long ago, behind the scripts'
   * back, and forgets the upkeep's due time as the scripts would have lowered it
   * (`upkeepKey` in lua/includes/schedule.lua).
   */
  makeDue(set: string, id: string): Promise<void>;
  close(): Promise<void>;
}

async function finishedTimes(store: QueueStore, status: FinishedStatus): Promise<[string, number][]> {
  const entries = (await store.finishedEntries(status, 0, 1_000_000)).reverse();
  const stored = await store.jobs(entries.map((entry) => entry.id));
  return entries.flatMap((entry, i) => {
    const fields = stored[i]!.fields;
    return fields?.s === status && fields.e === entry.finishedUs ? [[entry.id, Number(entry.finishedUs)] as [string, number]] : [];
  });
}

export async function scriptHarness(label: string, settings: Partial<StoreSettings> = {}): Promise<Harness> {
  const prefix = uniquePrefix(label);
  const keys = queueKeys(prefix, 'q');
  const client = await openClient({ url: REDIS_URL }, `test-${label}`);
  await loadScripts(client);
  const raw = rawClient();
  const storeWith = (more: Partial<StoreSettings>) => new QueueStore(client, keys, { ...KEEP_ALL, ...settings, ...more });
  return {
    store: storeWith({}),
    keys,
    client,
    raw,
    prefix,
    storeWith,
    running: () => raw.zrangebyscore(keys.active, '-inf', '(+inf'),
    jobCount: async (...ids) => (await Promise.all(ids.map((id) => raw.hexists(keys.jobs, id)))).reduce((a, b) => a + b, 0),
    ready: (priority) => readyKey(keys, priority),
    fields: async (id) => {
      const [{ fields, details }] = (await storeWith({}).jobs([id])) as [StoredJob];
      // Set fields only, as they are stored: an unset field is an empty one in the record.
      const set = Object.entries({ ...details, ...fields }).filter(([, value]) => value !== undefined);
      return Object.fromEntries(set) as Record<string, string>;
    },
    events: async () =>
      (await storeWith({}).readEvents('0', 100_000)).map(({ event, jobIds, detail }) => {
        const entry: { ev: string; ids: string; x?: string } = { ev: event, ids: jobIds.join(',') };
        if (detail !== undefined) entry.x = detail;
        return entry;
      }),
    makeDue: async (set, id) => {
      await raw.zadd(set, 'XX', 1, id);
      await raw.del(`${keys.base}upkeep`);
    },
    finishedTimes: (status) => finishedTimes(storeWith({}), status),
    finished: async (status) => (await finishedTimes(storeWith({}), status)).map(([id]) => id),
    backdateFinished: async (status, id, finishedUs) => {
      const entries = await raw.lrange(keys[status], 0, -1);
      const index = entries.findIndex((entry) => entry.endsWith(`,${id}`));
      if (index < 0) throw new Error(`no ${status} entry for ${id}`);
      const was = entries[index]!.slice(0, entries[index]!.indexOf(','));
      await raw.lset(keys[status], index, `${finishedUs},${id}`);
      const record = (await raw.hget(keys.jobs, id))!;
      await raw.hset(keys.jobs, id, record.replace(`,${was},`, `,${finishedUs},`));
      // And forget the head's time the scripts keep as a bound (lua/includes/finished.lua), as they would have lowered it.
      await raw.hdel(keys.totals, `head:${status}`);
    },
    redisNow: async () => {
      const [s, us] = await raw.time();
      return Number(s) * 1000 + Math.floor(Number(us) / 1000);
    },
    close: async () => {
      client.disconnect();
      raw.disconnect();
      await deletePrefix(prefix);
    },
  };
}

/** A job in stored form with defaults a test can override. */
export function newJob(id: string, more: Partial<EncodedJob> = {}): EncodedJob {
  return { id, type: 'test', payloadJson: '{"n":1}', maxAttempts: 3, priority: 0, delay: 0, timeout: 0, ...more };
}

/** Waits until Redis' clock has passed `ms`, so a later script call sees a strictly later time. */
export async function redisClockPast(h: Harness, ms: number): Promise<void> {
  await waitFor(`Redis clock past ${ms}`, async () => (await h.redisNow()) > ms, { timeoutMs: 5_000, intervalMs: 1 });
}

/** Adds a job and claims it; returns its lease token. The queue must hold no other ready job. */
export async function claimedJob(h: Harness, id: string, more: Partial<EncodedJob> = {}, leaseMs = 30_000): Promise<string> {
  await h.store.addJobs([newJob(id, more)]);
  const { jobs } = await h.store.claim(1, leaseMs);
  if (jobs[0]?.id !== id) throw new Error(`expected to claim ${id}, got ${jobs[0]?.id}`);
  return jobs[0].token;
}

/**
 * Every key under the test's prefix with its serialised value, to prove a script wrote nothing.
 * Hashes are compared by their sorted entries: a read may move a large hash's incremental rehash
 * on, which changes DUMP's order but not the data.
 */
export async function snapshot(h: Harness): Promise<Record<string, string>> {
  const found: string[] = [];
  let cursor = '0';
  do {
    const [next, keys] = await h.raw.scan(cursor, 'MATCH', `${h.prefix}:*`, 'COUNT', 1000);
    cursor = next;
    found.push(...keys);
  } while (cursor !== '0');
  const dumped: Record<string, string> = {};
  for (const key of found.sort()) {
    dumped[key] = (await h.raw.type(key)) === 'hash'
      ? JSON.stringify(Object.entries(await h.raw.hgetall(key)).sort())
      : (await h.raw.dumpBuffer(key))?.toString('hex') ?? '';
  }
  return dumped;
}

/** Runs a script with FCALL_RO, which Redis refuses unless its function is flagged `no-writes`. */
export async function evalReadOnly(h: Harness, name: ScriptName, args: (string | number)[]): Promise<unknown> {
  const keys = keysFor(h.keys, SCRIPT_KEYS[name]);
  return h.raw.call('FCALL_RO', functionName(name), keys.length, ...keys, ...args);
}
