import { randomBytes } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import { checkDuration, checkJobId, checkPriority, checkQueueName, decodeJob, encodeNewJob, type EncodedJob } from './codec.js';
import { openClient, topologyOf, type RedisClient, type Topology } from './connection.js';
import { LIBRARY_NAME, loadScriptsIfAllowed } from './library.js';
import { checkRedis, type RedisCheck } from './diagnostics.js';
import { DEFAULTS } from './defaults.js';
import { ConnectionError, QueueClosedError, ValidationError, isPermissionRefusal, scriptError } from './errors.js';
import { newJobIds } from './ids.js';
import { queueKeys } from './keys.js';
import { clean, history, retryJobs, totals, type CleanOptions, type HistoryBucket, type QueueTotals, type RetryJobsOptions } from './operations.js';
import { OperationsStore, registerQueue, registeredQueues } from './operations-store.js';
import { ClaimRequests, QueueStore, type StatusReply, type StoredEvent } from './store.js';
import type { Job, JobStatus, NewJob, QueueStats, RedisQueueConfig, RetentionPolicy, WorkerInfo } from './types.js';
import { JOB_STATUSES } from './types.js';

/** A connection shared by sibling queues; the last one to close it quits the client. */
interface SharedClient {
  client: RedisClient;
  config: RedisQueueConfig;
  users: number;
}

/** Which jobs `listJobs` returns: a status, or `delayed` for pending jobs that wait for their time. */
export type ListableStatus = JobStatus | 'delayed';

/** A page of `listJobs`. */
export interface ListOptions {
  offset?: number;
  limit?: number;
}

/** What may differ between queues sharing one connection. */
export type QueueSettings = Pick<RedisQueueConfig, 'maxRetries' | 'retryDelays' | 'keepCompleted' | 'keepFailed' | 'eventsMaxLen' | 'maxPayloadBytes'>;

/** One queue at a glance. */
export interface QueueOverview {
  name: string;
  stats: QueueStats;
  paused: boolean;
  /** When the longest-waiting ready job became ready; null when none is ready. */
  oldestReadyAt: Date | null;
}

/** A job for `pushBulk`: a new job with an optional delay. */
export type BulkJob = NewJob & { delay?: number };

function retention(given: Partial<RetentionPolicy> | undefined, fallback: RetentionPolicy, name: string): RetentionPolicy {
  const policy = { ...fallback, ...given };
  checkDuration('connect', `${name}.age`, policy.age);
  if (!Number.isInteger(policy.count) || policy.count < 0) {
    throw new ValidationError('connect', `${name}.count must be a non-negative integer, got ${policy.count}`);
  }
  return policy;
}

function checkConfig(config: RedisQueueConfig): void {
  const { maxRetries, retryDelays, prefix } = config;
  if (maxRetries !== undefined && (!Number.isInteger(maxRetries) || maxRetries < 1)) {
    throw new ValidationError('connect', `maxRetries must be a positive integer, got ${maxRetries}`);
  }
  if (retryDelays !== undefined) {
    if (!Array.isArray(retryDelays) || retryDelays.length === 0) {
      throw new ValidationError('connect', 'retryDelays must be a non-empty array of milliseconds');
    }
    retryDelays.forEach((delay, i) => checkDuration('connect', `retryDelays[${i}]`, delay));
  }
  if (prefix !== undefined && (typeof prefix !== 'string' || prefix === '' || /[{}]/.test(prefix))) {
    throw new ValidationError('connect', `prefix must be a non-empty string without braces, got ${JSON.stringify(prefix)}`);
  }
  if (config.durability !== undefined && config.durability !== 'primary' && config.durability !== 'replicated') {
    throw new ValidationError('connect', `durability must be "primary" or "replicated", got ${JSON.stringify(config.durability)}`);
  }
  const { maxPayloadBytes } = config;
  if (maxPayloadBytes !== undefined && (!Number.isInteger(maxPayloadBytes) || maxPayloadBytes < 2 || maxPayloadBytes > 512 * 1024 * 1024)) {
    throw new ValidationError('connect', `maxPayloadBytes must be an integer from 2 to ${512 * 1024 * 1024}, got ${maxPayloadBytes}`);
  }
  for (const [name, value] of [['poolSize', config.poolSize], ['minIdleConns', config.minIdleConns]] as const) {
    if (value !== undefined && (!Number.isInteger(value) || value < 0)) {
      throw new ValidationError('connect', `${name} must be a non-negative integer, got ${value}`);
    }
  }
}

const internals = new WeakMap<RedisQueue, { store: QueueStore; shared: SharedClient }>();

/** The store and shared client behind a queue, for the worker; not part of the public API. */
export function queueInternals(queue: RedisQueue): { store: QueueStore; client: RedisClient; config: RedisQueueConfig } {
  const found = internals.get(queue);
  if (!found) throw new QueueClosedError('worker', queue.name);
  return { store: found.store, client: found.shared.client, config: found.shared.config };
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
  private readonly store: QueueStore;
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
    this.store = new QueueStore(shared.client, queueKeys(this.prefix, name), {
      eventsMaxLen: config.eventsMaxLen ?? DEFAULTS.eventsMaxLen,
      durability: config.durability ?? 'primary',
      keepCompleted: retention(config.keepCompleted, DEFAULTS.keepCompleted, 'keepCompleted'),
      keepFailed: retention(config.keepFailed, DEFAULTS.keepFailed, 'keepFailed'),
      retentionBatch: DEFAULTS.retentionBatch,
      upkeepBatch: DEFAULTS.maintenanceBatch,
    });
    this.operations = [new OperationsStore(this.store)];
    shared.users++;
    internals.set(this, { store: this.store, shared });
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
    return new RedisQueue(name, { client, config, users: 0 });
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
    await this.store.ping();
    return performance.now() - started;
  }

  private ensureOpen(operation: string): void {
    if (this.closed) throw new QueueClosedError(operation, this.name);
  }

  private async add(operation: string, jobs: readonly BulkJob[]): Promise<Job[]> {
    this.ensureOpen(operation);
    const ids = newJobIds(jobs.length);
    const encoded = jobs.map((job, i) => encodeNewJob(operation, ids[i]!, job, job.delay, this.maxRetries, this.maxPayloadBytes));
    if (encoded.length === 0) return [];
    await registerQueue(this.shared.client, this.prefix, this.name);
    // The ids are drawn here, so a resend of this call (after a lost reply) stores nothing twice.
    const reply = await this.store.addJobs(encoded);
    if ('existingId' in reply) return this.add(operation, jobs); // an 80-bit id collided: draw again
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

  /** Stores many jobs in one atomic round trip: all of them or, on a bad one, none. */
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
    const [stored] = await this.store.jobs([id]);
    return decodeJob(this.name, id, stored!.fields, stored!.details);
  }

  /** The status of the job with that id, or null. */
  async getJobStatus(id: string): Promise<JobStatus | null> {
    this.ensureOpen('getJobStatus');
    checkJobId('getJobStatus', id);
    return (await this.store.jobStatus(id)) as JobStatus | null;
  }

  private async change(operation: string, id: string, allowed: string, run: () => Promise<StatusReply>): Promise<void> {
    this.ensureOpen(operation);
    checkJobId(operation, id);
    const [code, detail] = await run();
    if (code !== 'OK') throw scriptError(code, operation, id, this.name, detail?.toString(), allowed);
  }

  /** Cancels a waiting or running job; a running handler's `ctx.signal` aborts within a second. */
  async cancelJob(id: string): Promise<void> {
    return this.change('cancelJob', id, 'pending, delayed, retrying or processing', () => this.store.cancel(id));
  }

  /** Sends a failed or cancelled job back to `pending` with its attempts reset. */
  async retryJob(id: string): Promise<void> {
    return this.change('retryJob', id, 'failed or cancelled', () => this.store.retry(id));
  }

  /** Changes the priority of a waiting job; a ready one is re-ordered at once. */
  async setPriority(id: string, priority: number): Promise<void> {
    checkPriority('setPriority', priority);
    return this.change('setPriority', id, 'pending, delayed or retrying', () => this.store.setPriority(id, priority));
  }

  /** Jobs waiting to run: pending, delayed and retrying (not those processing). */
  async getQueueSize(): Promise<number> {
    const stats = await this.getStats();
    return stats.pendingJobs + stats.delayedJobs + stats.retryingJobs;
  }

  /** Job counts by state. */
  async getStats(): Promise<QueueStats> {
    this.ensureOpen('getStats');
    return (await this.store.stats()).stats;
  }

  /** Counts, paused state and the oldest ready job's wait, in one read: what a console shows per queue. */
  async getOverview(): Promise<QueueOverview> {
    this.ensureOpen('getOverview');
    const { stats, paused, oldestReadyAt } = await this.store.stats();
    return { name: this.name, stats, paused, oldestReadyAt: oldestReadyAt === null ? null : new Date(oldestReadyAt) };
  }

  /** Whether workers are held from claiming this queue's jobs. */
  async isPaused(): Promise<boolean> {
    this.ensureOpen('isPaused');
    return (await this.store.stats()).paused;
  }

  /** Stops workers everywhere from claiming jobs of this queue; running jobs go on. */
  async pause(): Promise<void> {
    this.ensureOpen('pause');
    await this.store.setPaused(true);
  }

  /** Lets workers claim this queue's jobs again. */
  async resume(): Promise<void> {
    this.ensureOpen('resume');
    await this.store.setPaused(false);
  }

  /** A page of jobs in one status, newest first by the time they entered it; `delayed`: soonest first. */
  async listJobs(status: ListableStatus, { offset = 0, limit = DEFAULTS.listLimit }: ListOptions = {}): Promise<Job[]> {
    this.ensureOpen('listJobs');
    if (status !== 'delayed' && !JOB_STATUSES.includes(status)) {
      throw new ValidationError('listJobs', `status must be one of ${JOB_STATUSES.join(', ')} or delayed, got ${JSON.stringify(status)}`);
    }
    if (!Number.isInteger(offset) || offset < 0) throw new ValidationError('listJobs', `offset must be a non-negative integer, got ${offset}`);
    if (!Number.isInteger(limit) || limit < 1 || limit > 10_000) throw new ValidationError('listJobs', `limit must be an integer from 1 to 10000, got ${limit}`);
    if (status === 'processing') {
      const running = await this.jobsByIds(await this.store.activeIds());
      running.sort((a, b) => b.enteredAt.getTime() - a.enteredAt.getTime());
      return running.slice(offset, offset + limit);
    }
    const ids = status === 'pending' ? await this.store.pendingIds(offset, limit)
      : status === 'delayed' ? await this.store.delayedIds(offset, limit)
      : await this.store.scoredIds(status, offset, limit);
    return (await this.jobsByIds(ids)).filter((job) => status === 'delayed' || job.status === status);
  }

  private async jobsByIds(ids: readonly string[]): Promise<Job[]> {
    const stored = await this.store.jobs(ids);
    const jobs = stored.map(({ fields, details }, i) => decodeJob(this.name, ids[i]!, fields, details));
    return jobs.filter((job): job is Job => job !== null);
  }

  /** The workers serving this queue, from their heartbeats; long-silent ones are dropped. */
  async getWorkers(): Promise<WorkerInfo[]> {
    this.ensureOpen('getWorkers');
    const now = Date.now();
    const workers: WorkerInfo[] = [];
    const expired: string[] = [];
    for (const [id, json] of Object.entries(await this.store.heartbeats())) {
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
    await this.store.removeHeartbeats(expired).catch((err: unknown) => {
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
    return this.change('removeJob', id, 'completed, failed or cancelled', () => this.operations[0]!.remove(id));
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
    return this.store.readEvents(afterId, count);
  }

  /** The id of the newest event ('0' when none), to follow only what happens from now on. */
  async lastEventId(): Promise<string> {
    this.ensureOpen('lastEventId');
    return this.store.lastEventId();
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
