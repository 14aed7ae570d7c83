import { randomBytes } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import { checkDuration, checkJobId, checkPriority, checkQueueName, decodeJob, encodeNewJob, type EncodedJob } from './codec.js';
import { openClient, primaryOfKey, topologyOf, type RedisClient, type Topology } from './connection.js';
import { LIBRARY_NAME, loadScriptsIfAllowed } from './library.js';
import { checkRedis, type RedisCheck } from './diagnostics.js';
import { DEFAULTS } from './defaults.js';
import { ConnectionError, QueueClosedError, ValidationError, isPermissionRefusal, scriptError } from './errors.js';
import { newJobIds } from './ids.js';
import { queueKeys } from './keys.js';
import { clean, history, retryJobs, totals, type CleanOptions, type HistoryBucket, type QueueTotals, type RetryJobsOptions } from './operations.js';
import { OperationsStore, registerQueue, registeredQueues } from './operations-store.js';
import { ClaimRequests, QueueStore, type StatusReply, type StoredEvent, type WorkerStore } from './store.js';
import { ShardedStore } from './sharded-store.js';
import { ShardPicker, checkShards, groupByShard, shardOfId, shardTags, shardedId } from './shards.js';
import { checkConfig, retention, shareOf } from './queue-config.js';
import { lastShardEventId, mergeOverviews, readShardEvents, type ShardOverview } from './sharded-reads.js';
import { readJobPage, type JobPage, type ListableStatus, type ListOptions } from './job-pages.js';
import type { Job, JobStatus, NewJob, QueueStats, RedisQueueConfig, WorkerInfo } from './types.js';
import { JOB_STATUSES } from './types.js';

/** A connection shared by sibling queues; the last one to close it quits the client. */
interface SharedClient {
  client: RedisClient;
  config: RedisQueueConfig;
  users: number;
}

/** What may differ between queues sharing one connection. */
export type QueueSettings = Pick<RedisQueueConfig, 'maxRetries' | 'retryDelays' | 'keepCompleted' | 'keepFailed' | 'eventsMaxLen' | 'maxPayloadBytes' | 'shards'>;

/** One queue at a glance. */
export interface QueueOverview {
  name: string;
  stats: QueueStats;
  paused: boolean;
  /** When the longest-waiting ready job became ready; null when none is ready. */
  oldestReadyAt: Date | null;
  /** A sharded queue's shards, each at a glance (absent for a queue of one shard). */
  shards?: ShardOverview[];
}

export type { JobPage, ListableStatus, ListOptions };

/** A job for `pushBulk`: a new job with an optional delay. */
export type BulkJob = NewJob & { delay?: number };

const internals = new WeakMap<RedisQueue, { store: WorkerStore; shards: QueueStore[]; shared: SharedClient }>();

/**
 * The store behind a queue (its shards behind one, for a sharded queue), each shard's own store,
 * and the shared client, for the worker; not part of the public API.
 */
export function queueInternals(queue: RedisQueue): { store: WorkerStore; shards: QueueStore[]; client: RedisClient; config: RedisQueueConfig } {
  const found = internals.get(queue);
  if (!found) throw new QueueClosedError('worker', queue.name);
  return { store: found.store, shards: found.shards, client: found.shared.client, config: found.shared.config };
}

/** A named job queue in Redis: push, inspect, cancel, retry and re-prioritise its jobs. */
export class RedisQueue {
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
  private readonly picker: ShardPicker;
  /** One per shard of the queue: bulk operations, totals and history run over each. */
  private readonly operations: OperationsStore[];
  private readonly popRequests = new ClaimRequests(`pop:${randomBytes(6).toString('hex')}`);
  private closed = false;

  private constructor(readonly name: string, private readonly shared: SharedClient, settings: QueueSettings = {}) {
    const config = { ...shared.config, ...settings };
    this.prefix = config.prefix ?? DEFAULTS.prefix;
    this.maxRetries = config.maxRetries ?? DEFAULTS.maxRetries;
    this.retryDelays = config.retryDelays ?? DEFAULTS.retryDelays;
    this.maxPayloadBytes = config.maxPayloadBytes ?? DEFAULTS.maxPayloadBytes;
    // A queue's own layout, never a sibling's: `queue()` takes shards from its settings alone.
    this.shardCount = checkShards('connect', settings.shards);
    const storeSettings = {
      eventsMaxLen: config.eventsMaxLen ?? DEFAULTS.eventsMaxLen,
      durability: config.durability ?? 'primary',
      // Each shard keeps its share of the finished jobs, so the queue keeps about `count` in all.
      keepCompleted: shareOf(retention(config.keepCompleted, DEFAULTS.keepCompleted, 'keepCompleted'), this.shardCount),
      keepFailed: shareOf(retention(config.keepFailed, DEFAULTS.keepFailed, 'keepFailed'), this.shardCount),
      retentionBatch: DEFAULTS.retentionBatch,
      upkeepBatch: DEFAULTS.maintenanceBatch,
    } as const;
    this.shards = shardTags(name, this.shardCount).map((tag) => new QueueStore(shared.client, queueKeys(this.prefix, tag), storeSettings));
    this.store = this.shardCount === 1 ? this.shards[0]! : new ShardedStore(this.shards);
    this.picker = new ShardPicker(this.shardCount);
    this.operations = this.shards.map((shard) => new OperationsStore(shard));
    shared.users++;
    internals.set(this, { store: this.store, shards: this.shards, shared });
  }

  /** Connects to Redis; rejects with an error naming the address when it cannot be reached. */
  static async connect(name: string, config: RedisQueueConfig = {}): Promise<RedisQueue> {
    checkQueueName('connect', name);
    checkConfig(config);
    const client = await openClient(config, name);
    try {
      await loadScriptsIfAllowed(client);
    } catch (err) {
      client.disconnect();
      throw new ConnectionError('connect', `Redis did not load flexq's function library (flexq needs Redis 7 or later): ${(err as Error).message}`, err);
    }
    return new RedisQueue(name, { client, config, users: 0 }, { shards: config.shards });
  }

  /**
   * Another queue of the same prefix over the same connection; `settings` override this
   * connection's job defaults and retention for it alone.
   */
  queue(name: string, settings: QueueSettings = {}): RedisQueue {
    this.ensureOpen('queue');
    checkQueueName('queue', name);
    checkConfig(settings);
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

  private ensureOpen(operation: string): void {
    if (this.closed) throw new QueueClosedError(operation, this.name);
  }

  /** The shard that holds job `id`. */
  private shardOf(id: string): QueueStore {
    return this.shards[shardOfId(id, this.shardCount)]!;
  }

  /**
   * Stores jobs: one atomic call per shard they go to, every job checked before any is sent. The
   * ids are drawn here, so a resend of a call (after a lost reply) stores nothing twice.
   */
  private async add(operation: string, jobs: readonly BulkJob[]): Promise<Job[]> {
    this.ensureOpen(operation);
    if (this.shardCount === 1) return this.addToShard(operation, 0, jobs, this.encode(operation, 0, jobs));
    const groups = [...groupByShard(jobs, (job) => this.picker.pick(job))]
      .map(([shard, group]) => ({ shard, ...group, encoded: this.encode(operation, shard, group.items) }));
    const stored: Job[] = new Array(jobs.length);
    await Promise.all(groups.map(async (group) => {
      const added = await this.addToShard(operation, group.shard, group.items, group.encoded);
      group.at.forEach((index, i) => (stored[index] = added[i]!));
    }));
    return stored;
  }

  /** New jobs of one shard as stored, with new ids (ascending, see ids.ts) that name the shard. */
  private encode(operation: string, shard: number, jobs: readonly BulkJob[]): EncodedJob[] {
    const ids = newJobIds(jobs.length);
    return jobs.map((job, i) => encodeNewJob(operation, shardedId(ids[i]!, shard, this.shardCount), job, job.delay, this.maxRetries, this.maxPayloadBytes));
  }

  private async addToShard(operation: string, shard: number, jobs: readonly BulkJob[], encoded: EncodedJob[]): Promise<Job[]> {
    if (encoded.length === 0) return [];
    await registerQueue(this.shared.client, this.prefix, this.name);
    const reply = await this.shards[shard]!.addJobs(encoded);
    // A 60-bit id collided (see ids.ts): draw again.
    if ('existingId' in reply) return this.addToShard(operation, shard, jobs, this.encode(operation, shard, jobs));
    return encoded.map((job) => this.newJob(job, reply.createdAt));
  }

  private newJob(job: EncodedJob, createdMs: number): Job {
    const createdAt = new Date(createdMs);
    const stored: Job = {
      id: job.id, queue: this.name, type: job.type, payload: JSON.parse(job.payloadJson) as Record<string, unknown>,
      status: 'pending', attempts: 0, maxAttempts: job.maxAttempts, priority: job.priority, delay: job.delay,
      createdAt, enteredAt: createdAt,
    };
    if (job.timeout > 0) stored.timeout = job.timeout;
    if (job.delay > 0) stored.runAt = new Date(createdMs + job.delay);
    return stored;
  }

  /** Stores a job, ready to run now; resolves to the stored job with its new id. */
  async push(job: NewJob): Promise<Job> {
    const [stored] = await this.add('push', [{ ...job, delay: 0 }]);
    return stored!;
  }

  /** Stores a job that may run only after `delayMs`. */
  async pushDelayed(job: NewJob, delayMs: number): Promise<Job> {
    const [stored] = await this.add('pushDelayed', [{ ...job, delay: checkDuration('pushDelayed', 'delay', delayMs) }]);
    return stored!;
  }

  /**
   * Stores many jobs in one atomic round trip per shard: on a bad one, none; on a sharded queue a
   * Redis failure may leave the jobs of the shards that answered stored.
   */
  async pushBulk(jobs: readonly BulkJob[]): Promise<Job[]> {
    if (!Array.isArray(jobs)) throw new ValidationError('pushBulk', 'jobs must be an array');
    return this.add('pushBulk', jobs);
  }

  /**
   * Claims the next ready job (highest priority, then oldest) and marks it `processing`, or
   * resolves to null. Nobody renews its lease: unless cancelled it runs again after the default
   * visibility timeout, as a job whose worker died would.
   */
  async pop(): Promise<Job | null> {
    this.ensureOpen('pop');
    const { jobs } = await this.store.claim(1, DEFAULTS.visibilityTimeout, this.popRequests.next());
    const [claimed] = jobs;
    return claimed ? decodeJob(this.name, claimed.id, claimed.fields, claimed.details) : null;
  }

  /** The job with that id, or null. */
  async getJob(id: string): Promise<Job | null> {
    this.ensureOpen('getJob');
    checkJobId('getJob', id);
    const [stored] = await this.shardOf(id).jobs([id]);
    return decodeJob(this.name, id, stored!.fields, stored!.details);
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
    return (await this.readOverview()).stats;
  }

  /** Counts, paused state and the oldest ready job's wait, in one read: what a console shows per queue. */
  async getOverview(): Promise<QueueOverview> {
    this.ensureOpen('getOverview');
    return { name: this.name, ...(await this.readOverview()) };
  }

  /** Every shard's counts, paused state and oldest ready job, merged (with the shards apart when there are several). */
  private async readOverview(): Promise<Omit<QueueOverview, 'name'>> {
    const stats = await Promise.all(this.shards.map((shard) => shard.stats()));
    return mergeOverviews(stats, this.shards.map((shard) => primaryOfKey(this.shared.client, shard.keys.jobs)));
  }

  /** Whether workers are held from claiming this queue's jobs. */
  async isPaused(): Promise<boolean> {
    this.ensureOpen('isPaused');
    return (await this.readOverview()).paused;
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

  private async page(operation: string, status: ListableStatus, { offset = 0, limit = DEFAULTS.listLimit }: ListOptions, counted = false): Promise<JobPage> {
    this.ensureOpen(operation);
    if (status !== 'delayed' && !JOB_STATUSES.includes(status)) {
      throw new ValidationError('listJobs', `status must be one of ${JOB_STATUSES.join(', ')} or delayed, got ${JSON.stringify(status)}`);
    }
    if (!Number.isInteger(offset) || offset < 0) throw new ValidationError('listJobs', `offset must be a non-negative integer, got ${offset}`);
    if (!Number.isInteger(limit) || limit < 1 || limit > 10_000) throw new ValidationError('listJobs', `limit must be an integer from 1 to 10000, got ${limit}`);
    return readJobPage(this.name, this.shards, status, offset, limit, counted);
  }

  /** The workers serving this queue, from their heartbeats; long-silent ones are dropped. */
  async getWorkers(): Promise<WorkerInfo[]> {
    this.ensureOpen('getWorkers');
    const now = Date.now();
    const workers: WorkerInfo[] = [];
    const expired: string[] = [];
    const home = this.shards[0]!; // heartbeats live on shard 0 (sharded-store.ts)
    for (const [id, json] of Object.entries(await home.heartbeats())) {
      const beat = JSON.parse(json) as Omit<WorkerInfo, 'id' | 'queue' | 'healthy' | 'startedAt' | 'lastFetchAt' | 'lastSeenAt'>
        & { startedAt: number; lastFetchAt: number; lastSeenAt: number };
      const silentFor = now - beat.lastSeenAt;
      if (silentFor > DEFAULTS.heartbeatExpiry) {
        expired.push(id);
        continue;
      }
      workers.push({
        ...beat, types: beat.types ?? [], id, queue: this.name, startedAt: new Date(beat.startedAt), lastFetchAt: new Date(beat.lastFetchAt),
        lastSeenAt: new Date(beat.lastSeenAt), healthy: silentFor <= 3 * DEFAULTS.heartbeatInterval,
      });
    }
    // Tidying up is a write: a read-only Redis user leaves it to others.
    await home.removeHeartbeats(expired).catch((err: unknown) => {
      if (!isPermissionRefusal(err)) throw err;
    });
    return workers.sort((a, b) => a.id.localeCompare(b.id));
  }

  /** Sends every failed (or cancelled) job, optionally of one `type`, back to pending, chunk by chunk; resolves to how many. */
  async retryJobs(status: 'failed' | 'cancelled', options: RetryJobsOptions = {}): Promise<number> {
    this.ensureOpen('retryJobs');
    return retryJobs(this.operations, status, options);
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

  /** Releases this handle; the connection closes when its last queue closes. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    internals.delete(this);
    this.shared.users--;
    if (this.shared.users === 0) {
      await this.shared.client.quit().catch(() => this.shared.client.disconnect());
    }
  }
}
