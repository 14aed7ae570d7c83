import { randomBytes } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import { inspect } from 'node:util';
import { checkDuration, checkJobId, checkPriority, checkQueueName, decodeJob } from './codec.js';
import { topologyOf, type Topology } from './connection.js';
import { LIBRARY_NAME } from './library.js';
import { checkRedis, type RedisCheck } from './diagnostics.js';
import { DEFAULTS } from './defaults.js';
import { QueueClosedError, ValidationError, scriptError } from './errors.js';
import type { AddedJobs, JobAdder, BulkJob, PushOutcome } from './job-adder.js';
import type { JobMap, JobOf, NewJobOf, ScheduledJobOf, UntypedJobs } from './job-map.js';
import { cancelJobs, clean, history, retryJobs, totals, type BulkOptions, type CleanOptions, type HistoryBucket, type QueueTotals, type RetryJobsOptions } from './operations.js';
import { registeredQueues, registeredShards, type OperationsStore } from './operations-store.js';
import { closeQueueParts, openQueueParts, openSharedClient, stopAttachedWorkers, type SharedClient } from './queue-connection.js';
import type { QueueStore, StatusReply, StoredEvent, WorkerStore } from './store.js';
import { ClaimRequests } from './worker-wire.js';
import { checkShards, shardOfId } from './shards.js';
import { checkConfig, checkSettings, type QueueSettings } from './queue-config.js';
import type { QueueSchedules } from './schedules.js';
import type { ScheduleInfo, ScheduleTiming, ScheduledJob } from './schedule-spec.js';
import { lastShardEventId, readShardEvents } from './sharded-reads.js';
import { readQueueOverview, readRateLimit, readShardStates, type QueueOverview } from './queue-overview.js';
import { pageOfJobs, type JobPage, type ListableStatus, type ListOptions } from './job-lists.js';
import { readWorkers } from './heartbeat.js';
import { checkGroupConcurrency, checkRateLimit, rateLimitShares } from './rate-limit.js';
import type { Job, JobStatus, NewJob, QueueStats, RateLimit, RateLimitStatus, RedisQueueConfig, WorkerInfo } from './types.js';

export type { JobPage, ListableStatus, ListOptions } from './job-lists.js';
export type { QueueOverview } from './queue-overview.js';
export type { QueueSettings } from './queue-config.js';

export type { BulkJob, PushOutcome } from './job-adder.js';

/**
 * A named job queue in Redis: push, inspect, cancel, retry and re-prioritise its jobs. Connected
 * with a job map (`M`, see job-map.ts), it checks the type and payload of what is pushed and
 * scheduled, and types what getJob and pop give back.
 */
export class RedisQueue<M extends JobMap<M> = UntypedJobs> {
  /** Every Redis key of this queue starts with `<prefix>:`. */
  readonly prefix: string;
  /** Default total attempts of a job. */
  readonly maxRetries: number;
  /** Wait before retry n is `retryDelays[n-1]`; the last repeats. */
  readonly retryDelays: readonly number[];
  /** Largest payload accepted, in bytes of its JSON. */
  readonly maxPayloadBytes: number;
  /** Hash slots the queue's jobs are spread over (`shards` of the config); order holds within one. */
  readonly shardCount: number;
  /** One store per shard; an unsharded queue has one. */
  private readonly shards: QueueStore[];
  /** The worker's calls over all shards (the one shard's store itself when unsharded). */
  private readonly store: WorkerStore;
  private readonly adder: JobAdder;
  private readonly schedules: QueueSchedules;
  /** One per shard of the queue: bulk operations, totals and history run over each. */
  private readonly operations: OperationsStore[];
  private readonly popRequests = new ClaimRequests(`pop:${randomBytes(6).toString('hex')}`);
  private closed = false;
  private closing?: Promise<void>;

  private constructor(readonly name: string, private readonly shared: SharedClient, settings: QueueSettings = {}) {
    const config = { ...shared.config, ...settings };
    this.prefix = config.prefix ?? DEFAULTS.prefix;
    this.maxRetries = config.maxRetries ?? DEFAULTS.maxRetries;
    this.retryDelays = config.retryDelays ?? DEFAULTS.retryDelays;
    this.maxPayloadBytes = config.maxPayloadBytes ?? DEFAULTS.maxPayloadBytes;
    // A queue's own layout, never a sibling's: `queue()` takes shards from its settings alone.
    this.shardCount = checkShards('connect', settings.shards);
    ({ shards: this.shards, store: this.store, operations: this.operations, adder: this.adder, schedules: this.schedules } =
      openQueueParts(this, shared, config));
  }

  /** Connects to Redis; rejects with an error naming the address when it cannot be reached. */
  static async connect<M extends JobMap<M> = UntypedJobs>(name: string, config: RedisQueueConfig = {}): Promise<RedisQueue<M>> {
    checkQueueName('connect', name);
    checkConfig(config);
    return new RedisQueue<M>(name, await openSharedClient(name, config), { shards: config.shards });
  }

  /**
   * Another queue of the same prefix over the same connection; `settings` override this
   * connection's job defaults and retention for it alone.
   */
  queue(name: string, settings: QueueSettings = {}): RedisQueue {
    this.ensureOpen('queue');
    checkQueueName('queue', name);
    checkSettings(settings);
    return new RedisQueue(name, this.shared, settings);
  }

  /**
   * Checks the Redis this queue uses: version and functions, an eviction policy that could drop
   * jobs, memory, persistence and round-trip time; each finding says what to do about it.
   */
  async checkRedis(): Promise<RedisCheck[]> {
    this.ensureOpen('checkRedis');
    return checkRedis(this.shared.client, LIBRARY_NAME);
  }

  /** The kind of Redis this queue runs on (one server, Sentinel, Cluster) and its primaries now. */
  getTopology(): Topology {
    this.ensureOpen('getTopology');
    return topologyOf(this.shared.client);
  }

  /** Round-trip time to Redis in ms; rejects when Redis does not answer. */
  async ping(): Promise<number> {
    this.ensureOpen('ping');
    const started = performance.now();
    await Promise.all(this.shards.map((shard) => shard.ping()));
    return performance.now() - started;
  }

  /** Printed or serialised, a queue shows what it is, never its connection (which holds the password). */
  toJSON(): { queue: string; prefix: string; shards: number } {
    return { queue: this.name, prefix: this.prefix, shards: this.shardCount };
  }

  [inspect.custom](): string {
    return `RedisQueue ${inspect(this.toJSON())}`;
  }

  private ensureOpen(operation: string): void {
    if (this.closed) throw new QueueClosedError(operation, this.name);
  }

  /** The shard that holds job `id`. */
  private shardOf(id: string): QueueStore {
    return this.shards[shardOfId(id, this.shardCount)]!;
  }

  private async add(operation: string, jobs: readonly BulkJob[]): Promise<AddedJobs> {
    this.ensureOpen(operation);
    return this.adder.add(operation, jobs);
  }

  /** Stores a job, ready to run now; resolves to the stored job with its new id. */
  async push(job: NewJobOf<M>): Promise<JobOf<M>> {
    return (await this.addOne('push', job, 0)).job;
  }

  /** Stores a job that may run only after `delayMs`. */
  async pushDelayed(job: NewJobOf<M>, delayMs: number): Promise<JobOf<M>> {
    return (await this.addOne('pushDelayed', job, delayMs)).job;
  }

  /** `push`, or `pushDelayed` with `delayMs`, also saying whether it stored the job: not when its uniqueKey was held (`job` is then the holder). */
  async pushWithOutcome(job: NewJobOf<M>, delayMs?: number): Promise<PushOutcome<JobOf<M>>> {
    return delayMs === undefined ? this.addOne('push', job, 0) : this.addOne('pushDelayed', job, delayMs);
  }

  /** Checks the delay whatever the caller: a pushDelayed without one is refused, not run at once. */
  private async addOne(operation: 'push' | 'pushDelayed', job: NewJobOf<M>, delayMs: unknown): Promise<PushOutcome<JobOf<M>>> {
    if ((job as BulkJob | null | undefined)?.delay !== undefined) throw new ValidationError(operation, 'a job given alone takes no delay: pass it to pushDelayed (pushBulk takes one per job)');
    const added = await this.add(operation, [{ ...(job as NewJob), delay: checkDuration(operation, 'delay', delayMs) }]);
    return { job: added.jobs[0] as JobOf<M>, stored: !added.held.has(0) };
  }

  /**
   * Stores many jobs in one atomic round trip per shard: on a bad one, none; on a sharded queue a
   * Redis failure may leave the jobs of the shards that answered stored.
   */
  async pushBulk(jobs: readonly (NewJobOf<M> & { delay?: number })[]): Promise<JobOf<M>[]> {
    if (!Array.isArray(jobs)) throw new ValidationError('pushBulk', 'jobs must be an array');
    return (await this.add('pushBulk', jobs as readonly BulkJob[])).jobs as JobOf<M>[];
  }

  /**
   * Claims the next ready job (highest priority, then oldest) and marks it `processing`, or
   * resolves to null. Nobody renews its lease: unless cancelled it runs again after the default
   * visibility timeout, as a job whose worker died would.
   */
  async pop(): Promise<JobOf<M> | null> {
    this.ensureOpen('pop');
    // A claim cut short by one of its bounds (dead entries after a mass cancel, many lanes) has done
    // its share: go on.
    for (;;) {
      const { jobs: [claimed], cut } = await this.store.claim(1, DEFAULTS.visibilityTimeout, this.popRequests.next());
      if (claimed) return decodeJob(this.name, claimed.id, claimed.fields, claimed.details) as JobOf<M>;
      if (!cut) return null;
    }
  }

  /** The job with that id, or null; typed by the queue's job map (what was pushed to it). */
  async getJob(id: string): Promise<JobOf<M> | null> {
    this.ensureOpen('getJob');
    checkJobId('getJob', id);
    const [stored] = await this.shardOf(id).jobs([id]);
    return decodeJob(this.name, id, stored!.fields, stored!.details) as JobOf<M> | null;
  }

  /** The status of the job with that id, or null. */
  async getJobStatus(id: string): Promise<JobStatus | null> {
    this.ensureOpen('getJobStatus');
    checkJobId('getJobStatus', id);
    return (await this.shardOf(id).jobStatus(id)) as JobStatus | null;
  }

  private async change(operation: string, id: string, allowed: string, run: () => Promise<StatusReply>): Promise<void> {
    this.ensureOpen(operation);
    checkJobId(operation, id);
    const [code, detail] = await run();
    if (code !== 'OK') throw scriptError(code, operation, id, this.name, detail?.toString(), allowed);
  }

  /** Cancels a waiting or running job; a running handler's `ctx.signal` aborts within a second. */
  async cancelJob(id: string): Promise<void> {
    return this.change('cancelJob', id, 'pending, delayed, retrying or processing', () => this.shardOf(id).cancel(id));
  }

  /** Sends a failed or cancelled job back to `pending` with its attempts reset. */
  async retryJob(id: string): Promise<void> {
    return this.change('retryJob', id, 'failed or cancelled', () => this.shardOf(id).retry(id));
  }

  /** Changes the priority of a waiting job; a ready one is re-ordered at once. */
  async setPriority(id: string, priority: number): Promise<void> {
    checkPriority('setPriority', priority);
    return this.change('setPriority', id, 'pending, delayed or retrying', () => this.shardOf(id).setPriority(id, priority));
  }

  /** Jobs waiting to run: pending, delayed and retrying (not those processing). */
  async getQueueSize(): Promise<number> {
    const stats = await this.getStats();
    return stats.pendingJobs + stats.delayedJobs + stats.retryingJobs;
  }

  /** Job counts by state. */
  async getStats(): Promise<QueueStats> {
    this.ensureOpen('getStats');
    return (await readShardStates(this.shared.client, this.shards)).stats;
  }

  /** Counts, paused state, the oldest ready job's wait and the rate limit: what a console shows per queue. */
  async getOverview(): Promise<QueueOverview> {
    this.ensureOpen('getOverview');
    return readQueueOverview(this.name, this.shared.client, this.shards);
  }

  /**
   * At most `max` jobs of this queue start in any `per` ms, counted across every worker everywhere
   * (stored in Redis, like pause); `null` lifts the limit. A sharded queue's shards each take a
   * share of `max` (a claim runs on one shard's keys), so `max` must be at least the shard count.
   */
  async setRateLimit(limit: RateLimit | null): Promise<void> {
    this.ensureOpen('setRateLimit');
    const checked = checkRateLimit('setRateLimit', limit, this.shardCount);
    const shares = rateLimitShares(checked?.max ?? 0, this.shardCount);
    // Shard 0 announces the queue's limit in the event feed: one event for the change, not one per shard.
    await Promise.all(this.shards.map((shard, i) => shard.setRateLimit(shares[i]!, checked?.per ?? 0, checked?.max ?? 0, i === 0)));
  }

  /** The rate limit and how full its window is now; null when the queue has none. */
  async getRateLimit(): Promise<RateLimitStatus | null> {
    this.ensureOpen('getRateLimit');
    return readRateLimit(this.shards);
  }

  /**
   * At most `limit` jobs of one fair group (`JobOptions.group`) run at once, counted across every
   * worker everywhere (stored in Redis, like pause); `null` lifts the cap. A sharded queue keeps a
   * group on one shard, so the cap holds there.
   */
  async setGroupConcurrency(limit: number | null): Promise<void> {
    this.ensureOpen('setGroupConcurrency');
    const checked = checkGroupConcurrency('setGroupConcurrency', limit);
    await Promise.all(this.shards.map((shard) => shard.setGroupConcurrency(checked ?? 0)));
  }

  /** Whether workers are held from claiming this queue's jobs. */
  async isPaused(): Promise<boolean> {
    this.ensureOpen('isPaused');
    return (await readShardStates(this.shared.client, this.shards)).paused;
  }

  /** Stops workers everywhere from claiming jobs of this queue; running jobs go on. */
  async pause(): Promise<void> {
    this.ensureOpen('pause');
    await Promise.all(this.shards.map((shard) => shard.setPaused(true)));
  }

  /** Lets workers claim this queue's jobs again. */
  async resume(): Promise<void> {
    this.ensureOpen('resume');
    await Promise.all(this.shards.map((shard) => shard.setPaused(false)));
  }

  /** A page of jobs in one status, newest first by the time they entered it; `delayed`: soonest first. */
  async listJobs(status: ListableStatus, options: ListOptions = {}): Promise<Job[]> {
    return (await this.page('listJobs', status, options)).jobs;
  }

  /**
   * `listJobs` with `total`, the number of places its offsets run over, for a console that jumps to
   * the last page: the count of the status, plus for `pending` the places that cancelled or
   * re-prioritised jobs left in the ready lists until workers pass them (a page skips those).
   */
  async pageJobs(status: ListableStatus, options: ListOptions = {}): Promise<JobPage> {
    return this.page('pageJobs', status, options, true);
  }

  private async page(operation: string, status: ListableStatus, options: ListOptions, counted = false): Promise<JobPage> {
    this.ensureOpen(operation);
    return pageOfJobs(this.name, this.shards, status, options, counted);
  }

  /** The workers serving this queue, from their heartbeats; long-silent ones are dropped. */
  async getWorkers(): Promise<WorkerInfo[]> {
    this.ensureOpen('getWorkers');
    return readWorkers(this.name, this.shards[0]!); // heartbeats live on shard 0 (sharded-store.ts)
  }

  /** Sends every failed (or cancelled) job, optionally of one `type`, back to pending, chunk by chunk; resolves to how many. */
  async retryJobs(status: 'failed' | 'cancelled', options: RetryJobsOptions = {}): Promise<number> {
    this.ensureOpen('retryJobs');
    return retryJobs(this.operations, status, options);
  }

  /** Cancels every waiting job of one status, chunk by chunk (see `cancelJobs` in operations.ts); resolves to how many. */
  async cancelJobs(status: 'pending' | 'delayed' | 'retrying', options: BulkOptions = {}): Promise<number> {
    this.ensureOpen('cancelJobs');
    return cancelJobs(this.operations, status, options);
  }

  /** Removes a finished (completed, failed or cancelled) job. */
  async removeJob(id: string): Promise<void> {
    return this.change('removeJob', id, 'completed, failed or cancelled', () => this.operations[shardOfId(id, this.shardCount)]!.remove(id));
  }

  /** Removes finished jobs of `status`, optionally only those finished `olderThan` ms ago, at most `limit`; resolves to how many. */
  async clean(status: 'completed' | 'failed' | 'cancelled', options: CleanOptions = {}): Promise<number> {
    this.ensureOpen('clean');
    return clean(this.operations, status, options);
  }

  /** Completed and failed jobs since the queue was first used; retention does not lower them. */
  async getTotals(): Promise<QueueTotals> {
    this.ensureOpen('getTotals');
    return totals(this.operations);
  }

  /** Jobs completed and failed per minute over the last `minutes` (1 to 1440, default 60), oldest first. */
  async getHistory(options: { minutes?: number } = {}): Promise<HistoryBucket[]> {
    this.ensureOpen('getHistory');
    return history(this.operations, options);
  }

  /** The names of the queues used under this prefix (by any process), sorted: what a console shows without a config. */
  async listQueues(): Promise<string[]> {
    this.ensureOpen('listQueues');
    return registeredQueues(this.shared.client, this.prefix);
  }

  /** The shard count of each listed queue used with more than one (`RedisQueue.connect`'s `shards`). */
  async listQueueShards(): Promise<Record<string, number>> {
    this.ensureOpen('listQueueShards');
    return registeredShards(this.shared.client, this.prefix);
  }

  /**
   * Events after `afterId` ('0': the oldest kept), for consoles following the queue; `count`
   * bounds the feed entries read, one per atomic operation, which may hold several events.
   */
  async readEvents(afterId = '0', count = 1_000): Promise<StoredEvent[]> {
    this.ensureOpen('readEvents');
    return this.shardCount === 1 ? this.shards[0]!.readEvents(afterId, count) : readShardEvents(this.shards, afterId, count);
  }

  /** The id of the newest event ('0' when none), to follow only what happens from now on. */
  async lastEventId(): Promise<string> {
    this.ensureOpen('lastEventId');
    return this.shardCount === 1 ? this.shards[0]!.lastEventId() : lastShardEventId(this.shards);
  }

  /**
   * Adds a job of `job` at every tick of `timing` (`{ cron, tz? }` or `{ every }`), one per tick
   * however many workers run; replaces the schedule of that name. Workers of this queue fire it.
   */
  async schedule(name: string, timing: ScheduleTiming, job: ScheduledJobOf<M>): Promise<void> {
    this.ensureOpen('schedule');
    await this.schedules.save(name, timing, job as ScheduledJob, 'code');
  }

  /** Every schedule of this queue, by name, with its next and last runs. */
  async listSchedules(): Promise<ScheduleInfo[]> {
    this.ensureOpen('listSchedules');
    return this.schedules.list();
  }

  /** Removes a schedule (the jobs it added stay); false when there was none of that name. */
  async removeSchedule(name: string): Promise<boolean> {
    this.ensureOpen('removeSchedule');
    return this.schedules.remove(name);
  }

  /** Holds a schedule: no runs until resumed. */
  async pauseSchedule(name: string): Promise<void> {
    this.ensureOpen('pauseSchedule');
    await this.schedules.setPaused(name, true);
  }

  /** Resumes a paused schedule from its next tick (the ticks it missed are not made up). */
  async resumeSchedule(name: string): Promise<void> {
    this.ensureOpen('resumeSchedule');
    await this.schedules.setPaused(name, false);
  }

  /** Adds the schedule's job now, off its ticks; resolves to the job's id. */
  async triggerSchedule(name: string): Promise<string> {
    this.ensureOpen('triggerSchedule');
    return this.schedules.trigger(name);
  }

  /**
   * Stops this handle's running workers (as their `stop()` does: their handlers may still use the
   * queue meanwhile), then releases the handle; the connection closes when its last queue closes.
   */
  async close(): Promise<void> {
    this.closing ??= (async () => {
      await stopAttachedWorkers(this);
      this.closed = true;
      await closeQueueParts(this, this.shared);
    })();
    return this.closing;
  }
}
