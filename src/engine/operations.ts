/**
 * Bulk retry, clean-up, totals and history of one queue, behind RedisQueue's methods: arguments
 * are checked here, then each operation runs as a series of short script calls (one chunk each).
 */
import { checkDuration } from './codec.js';
import { DEFAULTS } from './defaults.js';
import { ValidationError } from './errors.js';
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

/** Runs chunks until one says it is done, reporting progress after each. */
async function inChunks(options: BulkOptions, limit: number, runChunk: (chunk: number) => Promise<ChunkReply & { examined: number }>): Promise<number> {
  let done = 0;
  let examined = 0;
  let total = 0;
  const chunkSize = options.chunkSize ?? DEFAULTS.operationChunk;
  for (;;) {
    const reply = await runChunk(Math.min(chunkSize, limit - done));
    if (reply.total !== undefined) total = Math.min(reply.total, limit);
    done += reply.changed;
    examined += reply.examined;
    options.onProgress?.({ done, total, examined: Math.min(examined, total) });
    if (reply.done || done >= limit) return done;
  }
}

function checkBulk(operation: string, options: BulkOptions): void {
  if (options.chunkSize !== undefined) positiveInteger(operation, 'chunkSize', options.chunkSize, 10_000);
  if (options.onProgress !== undefined && typeof options.onProgress !== 'function') {
    throw new ValidationError(operation, 'onProgress must be a function');
  }
}

/** Sends every failed (or cancelled) job, optionally of one type, back to pending; resolves to how many. */
export async function retryJobs(store: OperationsStore, status: unknown, options: RetryJobsOptions = {}): Promise<number> {
  const which = oneOf('retryJobs', RETRYABLE, status);
  checkBulk('retryJobs', options);
  const { type } = options;
  if (type !== undefined && (typeof type !== 'string' || type === '' || type.length > 200)) {
    throw new ValidationError('retryJobs', `type must be a non-empty string of at most 200 characters, got ${JSON.stringify(type)}`);
  }
  const cursor = { until: '', score: '', id: '' };
  return inChunks(options, Infinity, async (chunk) => ({ ...(await store.retryChunk(which, type ?? '', chunk, cursor)), examined: chunk }));
}

/** Removes finished jobs of one status, optionally only older ones and at most `limit`; resolves to how many. */
export async function clean(store: OperationsStore, status: unknown, options: CleanOptions = {}): Promise<number> {
  const which = oneOf('clean', FINISHED, status);
  checkBulk('clean', options);
  const olderThan = options.olderThan === undefined ? 0 : checkDuration('clean', 'olderThan', options.olderThan);
  const limit = options.limit === undefined ? Infinity : positiveInteger('clean', 'limit', options.limit, Number.MAX_SAFE_INTEGER);
  const cutoff = { value: '' };
  return inChunks(options, limit, async (chunk) => {
    const reply = await store.cleanChunk(which, olderThan, chunk, cutoff);
    return { ...reply, examined: reply.changed };
  });
}

/** Per-minute counts of the last `minutes` minutes (1 to 1440, default 60), oldest first. */
export async function history(store: OperationsStore, options: { minutes?: number } = {}): Promise<HistoryBucket[]> {
  const minutes = options.minutes === undefined ? 60 : positiveInteger('getHistory', 'minutes', options.minutes, HISTORY_MINUTES);
  return (await store.history(minutes)).map(({ minute, completed, failed }) => ({ at: new Date(minute * 60_000), completed, failed }));
}
