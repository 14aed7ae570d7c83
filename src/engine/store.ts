import type { RedisClient } from './connection.js';
/**
 * Typed calls to Redis for one queue: every script call and read the engine makes goes through
 * here, so nothing above this module knows a key, a script or a reply shape.
 */
import { randomBytes } from 'node:crypto';
import type { ScriptName } from './library.js';
import { addJobsArgs, parseDetails, parseRecord, type EncodedJob, type JobDetails, type RecordFields } from './codec.js';
import type { QueueKeys } from './keys.js';
import { callScript } from './script-call.js';
import {
  flagsInOrder, outcomeArgs, parseClaim, type ClaimReply, type ClaimRequest, type Lease, type Outcome, type OutcomeFlag, type RecordedListener, type Reply,
} from './worker-wire.js';
import { parseEntries, parseSourceList, pendingGroup, readPendingPage, type PendingPage, type PendingReads } from './pending-pages.js';
import type { RankedGroup } from './rank-search.js';
import { parseDuplicates, uniqueJobsArgs, type UniqueHolder } from './unique-wire.js';
import type { QueueStats, RateLimitStatus, RetentionPolicy } from './types.js';

/** A job as stored: its record's fields (null when there is no such job) and its details. */
export interface StoredJob {
  fields: RecordFields | null;
  details: JobDetails;
}

/** A random id for a one-job change (cancel, retry, priority), so a resend of it changes nothing. */
function requestId(): string {
  return randomBytes(8).toString('hex');
}

/** Reply of a script that can refuse: `['OK', …]` or an error code with a detail. */
export type StatusReply = [code: string, detail?: string | number];

/** The statuses kept in finished lists (lua/includes/finished.lua). */
export type FinishedStatus = 'completed' | 'failed' | 'cancelled';

/** An entry of a finished list: a job id and when it finished (µs, as the record's entered time). */
export interface FinishedEntry {
  id: string;
  finishedUs: string;
}

/** Queue-level settings the scripts take as arguments. */
export interface StoreSettings {
  /** With `replicated`, adding jobs also waits (WAIT) until a replica has them. */
  durability?: 'primary' | 'replicated';
  eventsMaxLen: number;
  keepCompleted: RetentionPolicy;
  keepFailed: RetentionPolicy;
  retentionBatch: number;
  upkeepBatch: number;
}

/** One event of a queue's feed. */
export interface StoredEvent {
  /** The feed entry's id; the events of one atomic operation share it. */
  id: string;
  event: string;
  /** The jobs it names: all of them, or the first 50 of a larger batch. */
  jobIds: string[];
  /** How many jobs the operation touched. */
  jobCount: number;
  detail?: string;
}

/**
 * The calls a worker makes: one QueueStore's, or a sharded queue's behind the same calls
 * (sharded-store.ts routes them to the shards).
 */
export type WorkerStore = Pick<QueueStore, 'claim' | 'extendLeases' | 'release' | 'progress' | 'jobStatus' | 'markHandlerStop' | 'heartbeat' | 'removeHeartbeats'> & {
  finish(outcomes: readonly Outcome[]): Promise<OutcomeFlag[]>;
  finishAndClaim(outcomes: readonly Outcome[], count: number, leaseMs: number, request?: ClaimRequest): Promise<[OutcomeFlag[], ClaimReply]>;
  /** A store that holds outcomes (a sharded queue's) tells `listener` what became of them; returns its removal. */
  onRecorded?(listener: RecordedListener): () => void;
};

/** The Redis side of one queue (or of one shard of a queue). */
export class QueueStore {
  constructor(
    // Client, settings and call() serve the engine's other store modules too (operations-store.ts).
    readonly client: RedisClient,
    readonly keys: QueueKeys,
    readonly settings: StoreSettings,
  ) {}

  /** Runs one script (see callScript); `replicated` also waits until a replica has its writes. */
  call(name: ScriptName, args: (string | number)[], replicated = false): Promise<unknown> {
    return callScript(this.client, this.keys, name, args, replicated);
  }

  private retentionArgs(): number[] {
    const { keepCompleted, keepFailed, retentionBatch } = this.settings;
    return [keepCompleted.age, keepCompleted.count, keepFailed.age, keepFailed.count, retentionBatch];
  }

  /**
   * Stores jobs atomically; returns the creation time in ms and the jobs that were not stored
   * because their unique key was held (see UniqueHolder), or the id that already exists.
   */
  async addJobs(jobs: readonly EncodedJob[]): Promise<{ createdAt: number; duplicates: Map<number, UniqueHolder> } | { existingId: string }> {
    const args = [this.settings.eventsMaxLen, ...addJobsArgs(jobs), ...uniqueJobsArgs(jobs)];
    const [code, detail, duplicates] = (await this.call('addJobs', args, this.settings.durability === 'replicated')) as [string, string, string[]?];
    return code === 'OK' ? { createdAt: Math.floor(Number(detail) / 1000), duplicates: parseDuplicates(duplicates) } : { existingId: String(detail) };
  }

  private claimArgs(count: number, leaseMs: number, request: ClaimRequest | undefined): (string | number)[] {
    return [this.settings.eventsMaxLen, count, leaseMs, this.settings.upkeepBatch, request?.slot ?? '', request?.seq ?? 0];
  }

  /**
   * Runs the upkeep (due jobs, dead leases) and claims up to `count` ready jobs; `request` makes a
   * resend of the call safe (it gets the same jobs).
   */
  async claim(count: number, leaseMs: number, request?: ClaimRequest): Promise<ClaimReply> {
    const { keepFailed, retentionBatch } = this.settings;
    const args = [...this.claimArgs(count, leaseMs, request), keepFailed.age, keepFailed.count, retentionBatch];
    return parseClaim((await this.call('claimJobs', args)) as Reply);
  }

  /** Records outcomes; one flag per outcome, false where the lease was no longer held. */
  async finish(outcomes: readonly Outcome[]): Promise<boolean[]> {
    const { args, order } = outcomeArgs(outcomes);
    const flags = (await this.call('finishJobs', [this.settings.eventsMaxLen, ...this.retentionArgs(), ...args])) as number[];
    return flagsInOrder(flags, order);
  }

  /** Records outcomes and claims the next jobs in one round trip and one atomic step. */
  async finishAndClaim(outcomes: readonly Outcome[], count: number, leaseMs: number, request?: ClaimRequest): Promise<[boolean[], ClaimReply]> {
    const { args, order } = outcomeArgs(outcomes);
    const [flags, claim] = (await this.call('finishAndClaimJobs', [...this.claimArgs(count, leaseMs, request), ...this.retentionArgs(), ...args])) as [number[], Reply];
    return [flagsInOrder(flags, order), parseClaim(claim)];
  }

  /** Renews leases; returns those lost. */
  async extendLeases(leases: readonly Lease[], leaseMs: number): Promise<Lease[]> {
    const args: (string | number)[] = [leaseMs];
    for (const lease of leases) args.push(lease.id, lease.token);
    const lost = (await this.call('extendLeases', args)) as string[];
    const leasesLost: Lease[] = [];
    for (let i = 0; i + 1 < lost.length; i += 2) leasesLost.push({ id: lost[i]!, token: lost[i + 1]! });
    return leasesLost;
  }

  /**
   * Hands running jobs back to the queue, their attempt not counted: at the head of their level,
   * or after `delayMs`. Returns how many were still held.
   */
  async release(leases: readonly Lease[], delayMs = 0): Promise<number> {
    const args: (string | number)[] = [this.settings.eventsMaxLen, delayMs];
    for (const lease of leases) args.push(lease.id, lease.token);
    return (await this.call('releaseJobs', args)) as number;
  }

  /** Leaves the wake marker for idle workers unless one is there. */
  async wakeWorkers(): Promise<void> {
    await this.call('wakeWorkers', []);
  }

  async cancel(id: string): Promise<StatusReply> {
    const { keepFailed, retentionBatch } = this.settings;
    const args = [this.settings.eventsMaxLen, id, keepFailed.age, keepFailed.count, retentionBatch, requestId()];
    return (await this.call('cancelJob', args)) as StatusReply;
  }

  async retry(id: string): Promise<StatusReply> {
    return (await this.call('retryJob', [this.settings.eventsMaxLen, id, requestId()])) as StatusReply;
  }

  async setPriority(id: string, priority: number): Promise<StatusReply> {
    return (await this.call('setPriority', [this.settings.eventsMaxLen, id, priority, requestId()])) as StatusReply;
  }

  /** Stores progress; false when the lease is no longer held. */
  async progress(lease: Lease, json: string): Promise<boolean> {
    const args = [this.settings.eventsMaxLen, lease.id, lease.token, json];
    return (await this.call('updateProgress', args)) === 1;
  }

  /** Notes that the handler of a job's attempt is being stopped or was killed; false when the job is gone. */
  async markHandlerStop(id: string, state: 'stopping' | 'killed', attempt: number): Promise<boolean> {
    return (await this.call('markHandlerStop', [this.settings.eventsMaxLen, id, state, attempt])) === 1;
  }

  /** Pauses or resumes; true when the state changed. */
  async setPaused(paused: boolean): Promise<boolean> {
    return (await this.call('setPaused', [this.settings.eventsMaxLen, paused ? '1' : '0'])) === 1;
  }

  /**
   * Sets the rate limit (max 0 lifts it); true when it changed. On a sharded queue `max` is this
   * shard's share of `whole`, and only shard 0 `announces` the change in the event feed.
   */
  async setRateLimit(max: number, per: number, whole = max, announce = true): Promise<boolean> {
    return (await this.call('setRateLimit', [this.settings.eventsMaxLen, max, per, whole, announce ? '1' : ''])) === 1;
  }

  /** The rate limit and its window now; null when the queue has none. */
  async rateLimit(): Promise<RateLimitStatus | null> {
    const reply = (await this.call('getRateLimit', [])) as number[];
    if (reply.length === 0) return null;
    const [max, per, started, opensIn] = reply.map(Number) as [number, number, number, number];
    return { max, per, started, opensIn };
  }

  /**
   * Counts by state, whether the queue is paused, when its oldest ready job entered (ms, or null)
   * and its fair groups' cap (null: none).
   */
  async stats(): Promise<{ stats: QueueStats; paused: boolean; oldestReadyAt: number | null; groupConcurrency: number | null }> {
    const counts = ((await this.call('getStats', [])) as number[]).map(Number);
    const [pendingJobs, delayedJobs, processingJobs, retryingJobs, completedJobs, failedJobs, cancelledJobs, paused, oldestUs, groupCap] =
      counts as [number, number, number, number, number, number, number, number, number, number];
    return {
      stats: { pendingJobs, delayedJobs, processingJobs, retryingJobs, completedJobs, failedJobs, cancelledJobs },
      paused: paused === 1,
      oldestReadyAt: oldestUs < 0 ? null : Math.floor(oldestUs / 1000),
      groupConcurrency: groupCap > 0 ? groupCap : null,
    };
  }

  /** Sets (0: lifts) the cap on jobs of one group running at once; whether it changed. */
  async setGroupConcurrency(limit: number): Promise<boolean> {
    return (await this.call('setGroupConcurrency', [limit])) === 1;
  }

  /** One page of pending job ids (ready, and delayed ones already due), newest first. */
  async pendingIds(offset: number, limit: number): Promise<string[]> {
    return (await this.pendingPage(offset, limit)).ids;
  }

  /** One page of pending job ids, and how many places the offsets run over (see pending-pages.ts). */
  pendingPage(offset: number, limit: number, budgetUs?: number): Promise<PendingPage> {
    return readPendingPage(this.pendingReads, offset, limit, budgetUs);
  }

  /** The pending sources as a group of a page over shards (sharded-pages.ts). */
  pendingGroup(): RankedGroup {
    return pendingGroup(this.pendingReads);
  }

  private readonly pendingReads: PendingReads = {
    listSources: async (now, after, count) =>
      parseSourceList((await this.call('listPendingSources', [now, after, count])) as (string | number)[]),
    countNewer: async (now, budgetUs, pivot, orEqual, brackets) =>
      ((await this.call('countPendingNewer', [now, budgetUs, pivot, orEqual ? 1 : 0, ...brackets.flatMap((b) => [b.source, b.from, b.to])])) as number[]).map(Number),
    read: async (now, wanted) =>
      parseEntries((await this.call('readPendingEntries', [now, ...wanted.flatMap((w) => [w.source, w.start, w.count])])) as (string | number)[]),
  };

  /** One page of the ids of retrying jobs, the latest to fail first. */
  async retryingIds(offset: number, limit: number): Promise<string[]> {
    return this.client.zrevrange(this.keys.retrying, offset, offset + limit - 1);
  }

  /**
   * One page of a finished status's list entries, the newest first; offsets count entries, stale
   * ones too (lua/includes/finished.lua): a job is an entry's while its record has that status and
   * the entry's time as its entered time.
   */
  async finishedEntries(status: FinishedStatus, offset: number, limit: number): Promise<FinishedEntry[]> {
    const entries = await this.client.lrange(this.keys[status], -(offset + limit), -(offset + 1));
    return entries.reverse().map((entry) => {
      const comma = entry.indexOf(',');
      return { finishedUs: entry.slice(0, comma), id: entry.slice(comma + 1) };
    });
  }

  /** How many entries a finished status's list holds, stale ones too: where its offsets run. */
  finishedLength(status: FinishedStatus): Promise<number> {
    return this.client.llen(this.keys[status]);
  }

  /**
   * One page of the ids of delayed jobs not yet due, soonest run-at first. Paged by rank past the
   * due ones (counted on Redis's clock, as getStats does): O(log n + page) at any offset, where a
   * score range with an offset would walk the offset.
   */
  async delayedIds(offset: number, limit: number): Promise<string[]> {
    const { due } = await this.dueDelayed();
    return this.client.zrange(this.keys.delayed, due + offset, due + offset + limit - 1);
  }

  /** Redis's time in ms, and how many delayed jobs are due by then (listed as pending, not delayed). */
  async dueDelayed(): Promise<{ now: number; due: number }> {
    const [seconds, micros] = await this.client.time();
    const now = Number(seconds) * 1000 + Math.floor(Number(micros) / 1000);
    return { now, due: await this.client.zcount(this.keys.delayed, '-inf', now) };
  }

  /** Every running job's id (the active set is bounded by the workers' concurrency). */
  async activeIds(): Promise<string[]> {
    // Scores below +inf: the set's anchor member (lua/includes/lib.lua) is no job.
    return this.client.zrangebyscore(this.keys.active, '-inf', '(+inf');
  }

  /** Jobs as stored, in the order of `ids`; read in one transaction, so record and details agree. */
  async jobs(ids: readonly string[]): Promise<StoredJob[]> {
    if (ids.length === 0) return [];
    const replies = await this.client.multi()
      .hmget(this.keys.jobs, ...ids)
      .hmget(this.keys.details, ...ids)
      .exec();
    const [[recordsError, records], [detailsError, details]] = replies as [[Error | null, (string | null)[]], [Error | null, (string | null)[]]];
    if (recordsError || detailsError) throw recordsError ?? detailsError;
    return ids.map((_id, i) => {
      const record = records[i];
      return { fields: record ? parseRecord(record) : null, details: parseDetails(details[i]) };
    });
  }

  /** A job's status alone; null when it does not exist. */
  async jobStatus(id: string): Promise<string | null> {
    const record = await this.client.hget(this.keys.jobs, id);
    return record === null ? null : parseRecord(record)?.s ?? null;
  }

  /** Event feed entries after `afterId` ('0' for the oldest kept), at most `count`. */
  async readEvents(afterId: string, count: number): Promise<StoredEvent[]> {
    const entries = await this.client.xrange(this.keys.events, `(${afterId}`, '+', 'COUNT', count);
    // One entry per script call: `<event>` ids, then maybe `<event>#` count and `<event>!` detail.
    const events: StoredEvent[] = [];
    for (const [id, flat] of entries) {
      for (let i = 0; i + 1 < flat.length; i += 2) {
        const name = flat[i]!;
        const value = flat[i + 1]!;
        const last = events.at(-1);
        if (name.endsWith('#') && last) last.jobCount = Number(value);
        else if (name.endsWith('!') && last) last.detail = value;
        else {
          const jobIds = value === '' ? [] : value.split(',');
          events.push({ id, event: name, jobIds, jobCount: jobIds.length });
        }
      }
    }
    return events;
  }

  /** One round trip, to check that Redis answers. */
  async ping(): Promise<void> {
    await this.client.ping();
  }

  /** Publishes a worker's heartbeat (JSON) under its id. */
  async heartbeat(workerId: string, json: string): Promise<void> {
    await this.client.hset(this.keys.workers, workerId, json);
  }

  /** Removes worker heartbeats, e.g. on a clean stop or once long silent. */
  async removeHeartbeats(workerIds: readonly string[]): Promise<void> {
    if (workerIds.length > 0) await this.client.hdel(this.keys.workers, ...workerIds);
  }

  /** Every heartbeat by worker id. */
  async heartbeats(): Promise<Record<string, string>> {
    return this.client.hgetall(this.keys.workers);
  }

  /** The id of the newest event, or '0' when the feed is empty. */
  async lastEventId(): Promise<string> {
    const [last] = await this.client.xrevrange(this.keys.events, '+', '-', 'COUNT', 1);
    return last?.[0] ?? '0';
  }
}

/** Blocks on a queue's wake marker for at most `timeoutMs`; true when woken by a marker. */
export async function waitForWake(blocking: RedisClient, keys: QueueKeys, timeoutMs: number): Promise<boolean> {
  // BLPOP's timeout is in seconds; Redis checks it about every 100 ms, so sub-second waits are rounded up.
  const reply = await blocking.blpop(keys.wake, Math.max(0.1, timeoutMs / 1000));
  return reply !== null;
}
