/**
 * Every Redis key of flexq, in one place. A queue's keys all read `<prefix>:{<queue>}:<suffix>`:
 * the `{<queue>}` hash tag puts them in one Redis Cluster slot, so every script runs on a cluster.
 */

/** The fixed keys of one queue, by name; scripts receive them through KEYS via `keysFor`. */
export interface QueueKeys {
  /**
   * STRING, the base the keys below and these are built from inside scripts: `ready:<priority>`
   * (LIST per level), `readyCount` (STRING, jobs in those lists), `claimed:<client>:<n>` (STRING,
   * a claim's leases kept a minute for a resend, see lua/includes/claim.lua), `upkeep` (STRING,
   * when a claim must next look for due jobs and dead leases, see lua/includes/schedule.lua),
   * `op:<request id>` (STRING, a bulk operation chunk's reply kept a minute for a resend, see
   * lua/includes/operations.lua), `unique:<key>` (STRING, the job holding a unique key) and
   * `uniqueHeld` (HASH job id -> key, see lua/includes/unique.lua), `rateLimit` (STRING
   * `max|per|queue max`) and `rateStarts` (ZSET of the window's starts, see lua/includes/ratelimit.lua).
   */
  base: string;
  /** HASH job id -> record (the format is in `lua/includes/lib.lua` and `codec.ts`). */
  jobs: string;
  /** HASH job id -> JSON of a job's rare, larger values: error, result, progress, history. */
  details: string;
  /** ZSET priority level -> itself: the levels that have ready jobs (score = priority). */
  priorities: string;
  /** ZSET job id -> run-at ms: dispatched with a delay, not yet due. */
  delayed: string;
  /** ZSET job id -> run-at ms: failed attempts waiting for their retry. */
  retrying: string;
  /** ZSET job id -> lease deadline ms: claimed and running (plus an anchor member at +inf, see lua/includes/lib.lua). */
  active: string;
  /** LIST of `<finished µs>,<job id>` in finish order, oldest first; some entries stale (lua/includes/finished.lua). */
  completed: string;
  /** LIST of `<finished µs>,<job id>`, as `completed`. */
  failed: string;
  /** LIST of `<finished µs>,<job id>`, as `completed`. */
  cancelled: string;
  /** LIST holding at most one marker: idle workers block on it to learn that work is ready. */
  wake: string;
  /** STREAM of job state changes, capped, for consoles. */
  events: string;
  /** STRING flag: present while the queue is paused. */
  paused: string;
  /** HASH worker id -> JSON heartbeat of the workers serving this queue. */
  workers: string;
  /**
   * HASH `completed`, `failed` -> jobs finished so far, `m<minute of the day>` ->
   * `<minute since epoch>|<completed>|<failed>` for the last 24 h (lua/includes/history.lua), and
   * `kept:<completed|failed|cancelled>` -> finished jobs kept now (lua/includes/finished.lua); scripts build it from base.
   */
  totals: string;
  /** HASH schedule name -> JSON definition (schedule-spec.ts), as `schedule()` stored it. */
  schedules: string;
  /** ZSET schedule name -> next run ms; a paused schedule has no member. */
  scheduleNext: string;
  /** HASH schedule name -> JSON state: last run, last job id, paused. */
  scheduleRuns: string;
}

/** Builds the keys of queue `name` under `prefix`. */
export function queueKeys(prefix: string, name: string): QueueKeys {
  const base = `${prefix}:{${name}}:`;
  return {
    base,
    jobs: `${base}jobs`,
    details: `${base}details`,
    priorities: `${base}priorities`,
    delayed: `${base}delayed`,
    retrying: `${base}retrying`,
    active: `${base}active`,
    completed: `${base}completed`,
    failed: `${base}failed`,
    cancelled: `${base}cancelled`,
    wake: `${base}wake`,
    events: `${base}events`,
    paused: `${base}paused`,
    workers: `${base}workers`,
    totals: `${base}totals`,
    schedules: `${base}schedules`,
    scheduleNext: `${base}scheduleNext`,
    scheduleRuns: `${base}scheduleRuns`,
  };
}

/**
 * SET of the queue names under `prefix`, written as each is first used: consoles find queues in it.
 * The prefix's own key, outside every queue's hash tag (written and read with plain commands).
 */
export function registryKey(prefix: string): string {
  return `${prefix}:queues`;
}

/** STRING, the number of the layout of the data under `prefix` (see data-format.ts). */
export function formatKey(prefix: string): string {
  return `${prefix}:format`;
}

/** HASH queue name -> shard count, for the registered queues of more than one shard. */
export function shardRegistryKey(prefix: string): string {
  return `${prefix}:queueShards`;
}

/** LIST of the ready job ids of one priority level, oldest first; built inside scripts the same way from base. */
export function readyKey(keys: QueueKeys, priority: number): string {
  return `${keys.base}ready:${priority}`;
}

/** The KEYS array of a script, in the order its header names them. */
export function keysFor(keys: QueueKeys, names: readonly (keyof QueueKeys)[]): string[] {
  return names.map((name) => keys[name]);
}
