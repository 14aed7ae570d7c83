import type { Logger } from 'pino';
import type { ConnectionOptions } from 'node:tls';

/** The lifecycle states of a job; both a value (`JobStatus.Completed`) and a string-union type. */
export const JobStatus = {
  Pending: 'pending',
  Processing: 'processing',
  Completed: 'completed',
  Failed: 'failed',
  Retrying: 'retrying',
  Cancelled: 'cancelled',
} as const;
/** One of the six job states. */
export type JobStatus = (typeof JobStatus)[keyof typeof JobStatus];

/** Every job status, in lifecycle order. */
export const JOB_STATUSES: readonly JobStatus[] = Object.values(JobStatus);

/** A job as stored in Redis. */
export interface Job {
  id: string;
  /** The queue the job belongs to. */
  queue: string;
  type: string;
  payload: Record<string, unknown>;
  status: JobStatus;
  /** Handler runs so far. */
  attempts: number;
  maxAttempts: number;
  /** Higher runs first. */
  priority: number;
  /** Milliseconds of delay asked for at dispatch; 0 when none. */
  delay: number;
  /** Per-attempt time limit in ms, when one was asked for. */
  timeout?: number;
  /** The fair group the job was dispatched in, if any. */
  group?: string;
  createdAt: Date;
  /** When the job entered its current status. */
  enteredAt: Date;
  /** When a delayed or retrying job is due to run. */
  runAt?: Date;
  /** When the successful run finished. */
  processedAt?: Date;
  /** When the job failed for good. */
  failedAt?: Date;
  /** The last failure's message. */
  error?: string;
  /** `JobResult.data` of the successful run. */
  result?: unknown;
  /** The last value the handler reported through `ctx.progress`. */
  progress?: unknown;
  /** The failed attempts, oldest first (the last 10 are kept). */
  history?: FailedAttempt[];
  /**
   * Set when an isolated handler of the job was stopped: `stopping` once its signal aborted on
   * cancel or timeout, `killed` once its thread or process was terminated for not returning.
   */
  handlerStop?: { state: 'stopping' | 'killed'; attempt: number };
}

/** One failed attempt of a job. */
export interface FailedAttempt {
  attempt: number;
  /** What followed: another attempt (`retrying`), the end (`failed`), or a rerun after its worker was lost (`lost`). */
  outcome: 'retrying' | 'failed' | 'lost';
  error: string;
  at: Date;
}

/** What a handler returns for one attempt. */
export interface JobResult {
  success: boolean;
  data?: unknown;
  error?: string;
  /** `false` fails the job for good, whatever attempts remain. */
  retry?: boolean;
  /** Minimum wait in ms before the next attempt (e.g. a server's Retry-After). */
  retryAfter?: number;
}

/** What a handler gets besides its job. */
export interface JobContext {
  /** Aborts on cancel, job timeout, lost lease and forced shutdown; `reason` says which. */
  signal: AbortSignal;
  /** A pino child logger whose lines carry `jobId` and `type`. */
  logger: Logger;
  /** Reports progress (any JSON value, e.g. a percentage) that `getJob` returns. */
  progress(value: unknown): Promise<void>;
}

/** Runs jobs of one type (`J`: the job as a typed job map gives it, see job-map.ts). */
export interface Handler<J = Job> {
  handle(ctx: JobContext, job: J): JobResult | Promise<JobResult>;
}

/** A handler as a plain function, sync or async. */
export type HandlerFunction<J = Job> = (ctx: JobContext, job: J) => JobResult | Promise<JobResult>;

/** What `push` and `pushDelayed` take. */
export interface NewJob {
  type: string;
  payload?: Record<string, unknown>;
  maxAttempts?: number;
  priority?: number;
  /** Per-attempt time limit in ms. */
  timeout?: number;
  /** While a job of the queue with this key waits or runs, pushing another resolves to that job. */
  uniqueKey?: string;
  /** Ms the unique key stays taken after the first push, whatever its job does, instead. */
  uniqueFor?: number;
  /** Jobs of different groups are claimed in turn, so one group's backlog cannot starve the others. */
  group?: string;
}

/** Options of `JobDispatcher.dispatch`. */
export interface JobOptions {
  maxAttempts?: number;
  priority?: number;
  /** Milliseconds to wait before the job may run. */
  delay?: number;
  /** Another queue of the same prefix and connection. */
  queue?: string;
  /** Per-attempt time limit in ms. */
  timeout?: number;
  /** While a job of the queue with this key waits or runs, dispatching another resolves to that job. */
  uniqueKey?: string;
  /** Ms the unique key stays taken after the first dispatch, whatever its job does, instead. */
  uniqueFor?: number;
  /** Jobs of different groups are claimed in turn, so one group's backlog cannot starve the others. */
  group?: string;
}

/** At most `max` jobs of a queue start in any `per` ms, counted across every worker. */
export interface RateLimit {
  max: number;
  /** The window, in ms. */
  per: number;
}

/** A queue's rate limit and its window now. */
export interface RateLimitStatus extends RateLimit {
  /** Jobs started in the last `per` ms. */
  started: number;
  /** Ms until another job may start; 0 when one may now. */
  opensIn: number;
}

/** Job counts of one queue; each job counts once. */
export interface QueueStats {
  pendingJobs: number;
  delayedJobs: number;
  processingJobs: number;
  retryingJobs: number;
  completedJobs: number;
  failedJobs: number;
  cancelledJobs: number;
}

/** How long finished jobs are kept: whichever limit is reached first removes them. */
export interface RetentionPolicy {
  /** Milliseconds after finishing. */
  age: number;
  /** Most recent finished jobs kept. */
  count: number;
}

/** Connection and behaviour of a `RedisQueue`. */
export interface RedisQueueConfig {
  /** `host:port`. */
  addr?: string;
  /** A Redis Cluster, by some of its nodes (`host:port`); the client finds the rest. */
  cluster?: { nodes: string[] };
  /** A primary watched by Redis Sentinel: its name and some sentinels (`host:port`). */
  sentinel?: { name: string; nodes: string[]; username?: string; password?: string };
  /**
   * `replicated`: a push resolves only once at least one replica has the jobs too (Redis WAIT),
   * so a failover right after cannot lose them. Default `primary`: as soon as the primary has them.
   */
  durability?: 'primary' | 'replicated';
  /** `redis://…` or `rediss://…`, instead of `addr`. */
  url?: string;
  username?: string;
  password?: string;
  db?: number;
  /** Accepted for the seed's sake; ioredis pipelines every call over one connection. */
  poolSize?: number;
  /** Accepted for the seed's sake; see `poolSize`. */
  minIdleConns?: number;
  /** Default `maxAttempts` of a job. */
  maxRetries?: number;
  /** Wait before retry n is `retryDelays[n-1]`; the last repeats. */
  retryDelays?: number[];
  /** Every Redis key of this queue starts with `<prefix>:`. */
  prefix?: string;
  /** Milliseconds to wait for the first connection before `connect` rejects. */
  connectTimeout?: number;
  /** Kept completed jobs. */
  keepCompleted?: Partial<RetentionPolicy>;
  /** Kept failed and cancelled jobs. */
  keepFailed?: Partial<RetentionPolicy>;
  /** Approximate length of the queue's event stream. */
  eventsMaxLen?: number;
  /** Largest payload accepted, in bytes of its JSON (UTF-8); default 1 MiB. */
  maxPayloadBytes?: number;
  /**
   * Hash slots the queue is spread over (default 1): on a cluster, shards on different primaries
   * share the queue's load. Order (priority, then FIFO) holds within a shard; job ids name theirs.
   */
  shards?: number;
  /** TLS options passed to the Redis client; `rediss://` urls turn it on too. */
  tls?: ConnectionOptions;
}

/** Behaviour of a `RedisWorker`. */
export interface WorkerConfig {
  /** Handlers of this worker that run at once. */
  numWorkers?: number;
  /** Upper bound in ms on how long a ready job can wait while the worker is idle. */
  pollTime?: number;
  /** Ms a claimed job's lease lasts without renewal before another worker may take it. */
  visibilityTimeout?: number;
  /** Per-attempt time limit in ms for jobs that ask for none. */
  jobTimeout?: number;
  /**
   * Where module handlers (`registerHandler(type, { module })`) run: `'none'` (default) in this
   * thread, `'thread'` or `'process'` in one they can be killed in.
   */
  isolation?: 'none' | 'thread' | 'process';
  /** Ms an isolated handler may go on after its signal aborted before it is killed; default 2000. */
  killAfter?: number;
  logger?: Logger;
}

/** A handler given by its module, which `registerHandler` loads (in a thread or process with isolation). */
export interface ModuleHandler {
  /** A file path (relative to `baseDir`), `file:` URL or package name; see `loadHandlerModule`. */
  module: string;
  /** Passed to the module's `createHandler(options)`. */
  options?: Record<string, unknown>;
  /** The export holding the handler, instead of `createHandler` or the default export. */
  export?: string;
  /** Where a relative `module` is found; the current directory by default. */
  baseDir?: string;
  /** Overrides the worker's `isolation` for this handler. */
  isolation?: 'none' | 'thread' | 'process';
  /** Overrides the worker's `killAfter` for this handler. */
  killAfter?: number;
}

/** A worker serving a queue, as its heartbeats describe it. */
export interface WorkerInfo {
  id: string;
  queue: string;
  host: string;
  pid: number;
  /** Handlers running at the last heartbeat. */
  busy: number;
  /** The job types it has handlers for. */
  types: string[];
  concurrency: number;
  startedAt: Date;
  /** When it last asked Redis for jobs. */
  lastFetchAt: Date;
  /** Its last heartbeat. */
  lastSeenAt: Date;
  /** Heard from within three heartbeat periods. */
  healthy: boolean;
}
