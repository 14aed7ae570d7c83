/**
 * Bulk retry, clean-up, totals and history of one queue, behind RedisQueue's methods: arguments
 * are checked here, then each operation runs as a series of short script calls (one chunk each).
 */
import { checkDuration } from './codec.js';
import { DEFAULTS } from './defaults.js';
import { ValidationError } from './errors.js';
import { checkedWhereUsed, checkOptions, optionsSchema } from './options.js';
import { OperationsStore, HISTORY_MINUTES, type ChunkReply } from './operations-store.js';

/** How far a bulk operation has got, after each chunk. */
export interface BulkProgress {
  /** Jobs retried or removed so far. */
  done: number;
  /** Jobs the operation looks at in all: those of the status when it began (up to `limit`). */
  total: number;
  /** Jobs looked at so far (with a type filter, more than `done`). */
  examined: number;
}

/** What every bulk operation takes. */
export interface BulkOptions {
  /** Called after each chunk. */
  onProgress?: (progress: BulkProgress) => void;
  /** Jobs per script call (default DEFAULTS.operationChunk, at most 10,000). */
  chunkSize?: number;
}

/** Options of `retryJobs`. */
export interface RetryJobsOptions extends BulkOptions {
  /** Only jobs of this type. */
  type?: string;
}

/** Options of `clean`. */
export interface CleanOptions extends BulkOptions {
  /** Only jobs that finished at least this many ms ago. */
  olderThan?: number;
  /** At most this many jobs. */
  limit?: number;
}

/** Finished jobs counted since the queue was first used; retention does not lower them. */
export interface QueueTotals {
  completed: number;
  failed: number;
}

/** Jobs finished in one minute. */
export interface HistoryBucket {
  /** The start of the minute. */
  at: Date;
  completed: number;
  failed: number;
}

const RETRYABLE = ['failed', 'cancelled'] as const;
const WAITING = ['pending', 'delayed', 'retrying'] as const;
const FINISHED = ['completed', 'failed', 'cancelled'] as const;

function oneOf<T extends string>(operation: string, allowed: readonly T[], value: unknown): T {
  const found = allowed.find((candidate) => candidate === value);
  if (found === undefined) throw new ValidationError(operation, `status must be ${allowed.join(' or ')}, got ${JSON.stringify(value)}`);
  return found;
}

function positiveInteger(operation: string, name: string, value: unknown, max: number): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 1 || value > max) {
    throw new ValidationError(operation, `${name} must be an integer from 1 to ${max}, got ${String(value)}`);
  }
  return value;
}

/** One chunk's reply, with how many jobs it looked at. */
type ChunkRun = (store: OperationsStore, chunk: number) => Promise<ChunkReply & { examined: number }>;

/**
 * Runs chunks on each store in turn (one per shard of the queue) until each says it is done, or
 * `limit` jobs changed, reporting progress over all of them after each chunk. A store's `total`
 * comes with its first chunk, so the total grows as the shards are reached.
 */
async function inChunks(stores: readonly OperationsStore[], options: BulkOptions, limit: number, runChunk: (store: OperationsStore) => ChunkRun): Promise<number> {
  const progress: BulkProgress = { done: 0, total: 0, examined: 0 };
  const chunkSize = options.chunkSize ?? DEFAULTS.operationChunk;
  for (const store of stores) {
    const run = runChunk(store);
    for (;;) {
      if (progress.done >= limit) return progress.done;
      const reply = await run(store, Math.min(chunkSize, limit - progress.done));
      if (reply.total !== undefined) progress.total = Math.min(progress.total + reply.total, limit);
      progress.done += reply.changed;
      progress.examined += reply.examined;
      options.onProgress?.({ ...progress, examined: Math.min(progress.examined, progress.total) });
      if (reply.done) break;
    }
  }
  return progress.done;
}

// Unknown keys are refused before anything runs: `clean('completed', { olderThen })` would
// otherwise remove every completed job.
const bulkShape = { onProgress: checkedWhereUsed, chunkSize: checkedWhereUsed } satisfies Record<keyof BulkOptions, unknown>;
const retryJobsOptions = optionsSchema({ ...bulkShape, type: checkedWhereUsed } satisfies Record<keyof RetryJobsOptions, unknown>);
const cleanOptions = optionsSchema({ ...bulkShape, olderThan: checkedWhereUsed, limit: checkedWhereUsed } satisfies Record<keyof CleanOptions, unknown>);
const cancelJobsOptions = optionsSchema(bulkShape);
const historyOptions = optionsSchema({ minutes: checkedWhereUsed });

function checkBulk(operation: string, options: BulkOptions): void {
  if (options.chunkSize !== undefined) positiveInteger(operation, 'chunkSize', options.chunkSize, 10_000);
  if (options.onProgress !== undefined && typeof options.onProgress !== 'function') {
    throw new ValidationError(operation, 'onProgress must be a function');
  }
}

/** Sends every failed (or cancelled) job, optionally of one type, back to pending; resolves to how many. */
export async function retryJobs(stores: readonly OperationsStore[], status: unknown, options: RetryJobsOptions = {}): Promise<number> {
  const which = oneOf('retryJobs', RETRYABLE, status);
  checkOptions('retryJobs', retryJobsOptions, options);
  checkBulk('retryJobs', options);
  const { type } = options;
  if (type !== undefined && (typeof type !== 'string' || type === '' || type.length > 200)) {
    throw new ValidationError('retryJobs', `type must be a non-empty string of at most 200 characters, got ${JSON.stringify(type)}`);
  }
  return inChunks(stores, options, Infinity, () => {
    const cursor = { until: '', score: '', id: '' };
    return async (store, chunk) => ({ ...(await store.retryChunk(which, type ?? '', chunk, cursor)), examined: chunk });
  });
}

/**
 * Cancels every waiting job of one status; resolves to how many. Pending jobs that become ready
 * after it began are left alone; of delayed and retrying jobs it takes at most as many as the
 * status held when it began, due soonest first.
 */
export async function cancelJobs(stores: readonly OperationsStore[], status: unknown, options: BulkOptions = {}): Promise<number> {
  const which = oneOf('cancelJobs', WAITING, status);
  checkOptions('cancelJobs', cancelJobsOptions, options);
  checkBulk('cancelJobs', options);
  return inChunks(stores, { ...options, chunkSize: options.chunkSize ?? DEFAULTS.cancelChunk }, Infinity, () => {
    const cursor = { until: '', level: '' };
    // What a delayed or retrying status held at the start, less the entries taken since.
    let left = Infinity;
    return async (store, chunk) => {
      if (which !== 'pending') chunk = Math.min(chunk, left);
      if (chunk <= 0) return { changed: 0, done: true, examined: 0 };
      const reply = await store.cancelChunk(which, chunk, cursor);
      if (which !== 'pending') left = (reply.total ?? left) - chunk;
      return { ...reply, examined: reply.changed };
    };
  });
}

/** Removes finished jobs of one status, optionally only older ones and at most `limit`; resolves to how many. */
export async function clean(stores: readonly OperationsStore[], status: unknown, options: CleanOptions = {}): Promise<number> {
  const which = oneOf('clean', FINISHED, status);
  checkOptions('clean', cleanOptions, options);
  checkBulk('clean', options);
  const olderThan = options.olderThan === undefined ? 0 : checkDuration('clean', 'olderThan', options.olderThan);
  const limit = options.limit === undefined ? Infinity : positiveInteger('clean', 'limit', options.limit, Number.MAX_SAFE_INTEGER);
  return inChunks(stores, options, limit, () => {
    const cutoff = { value: '' };
    return async (store, chunk) => {
      const reply = await store.cleanChunk(which, olderThan, chunk, cutoff);
      return { ...reply, examined: reply.changed };
    };
  });
}

/** Per-minute counts of the last `minutes` minutes (1 to 1440, default 60), oldest first, summed over the stores. */
export async function history(stores: readonly OperationsStore[], options: { minutes?: number } = {}): Promise<HistoryBucket[]> {
  checkOptions('getHistory', historyOptions, options);
  const minutes = options.minutes === undefined ? 60 : positiveInteger('getHistory', 'minutes', options.minutes, HISTORY_MINUTES);
  const perStore = await Promise.all(stores.map((store) => store.history(minutes)));
  return perStore[0]!.map(({ minute }, i) => ({
    at: new Date(minute * 60_000),
    completed: perStore.reduce((sum, counts) => sum + counts[i]!.completed, 0),
    failed: perStore.reduce((sum, counts) => sum + counts[i]!.failed, 0),
  }));
}

/** Completed and failed jobs since first use, summed over the stores. */
export async function totals(stores: readonly OperationsStore[]): Promise<QueueTotals> {
  const each = await Promise.all(stores.map((store) => store.totals()));
  return { completed: each.reduce((sum, t) => sum + t.completed, 0), failed: each.reduce((sum, t) => sum + t.failed, 0) };
}
