import type { JobStatus } from './types.js';

/** What went wrong, as a stable machine-readable code. */
export type FlexqErrorCode = 'NOT_FOUND' | 'BAD_STATE' | 'ID_EXISTS' | 'INVALID_ARGUMENT' | 'CONNECTION' | 'CLOSED' | 'REDIS_FULL' | 'NO_PERMISSION' | 'NOT_REPLICATED';

/** Base of every error flexq raises: a `code` and the `operation` that failed. */
export class FlexqError extends Error {
  override name = 'FlexqError';
  constructor(
    readonly code: FlexqErrorCode,
    readonly operation: string,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

/** No job has that id in this queue. */
export class JobNotFoundError extends FlexqError {
  override name = 'JobNotFoundError';
  constructor(operation: string, readonly jobId: string, queue: string) {
    super('NOT_FOUND', operation, `${operation}: job ${jobId} not found in queue "${queue}"`);
  }
}

/** No schedule has that name in this queue. */
export class ScheduleNotFoundError extends FlexqError {
  override name = 'ScheduleNotFoundError';
  constructor(operation: string, readonly scheduleName: string, queue: string) {
    super('NOT_FOUND', operation, `${operation}: schedule "${scheduleName}" not found in queue "${queue}"`);
  }
}

/** The job exists but its status does not allow the operation. */
export class InvalidJobStateError extends FlexqError {
  override name = 'InvalidJobStateError';
  constructor(operation: string, readonly jobId: string, readonly status: JobStatus, allowed: string) {
    super('BAD_STATE', operation, `${operation}: job ${jobId} is ${status}; only ${allowed} jobs qualify`);
  }
}

/** An argument was rejected before anything was stored. */
export class ValidationError extends FlexqError {
  override name = 'ValidationError';
  constructor(operation: string, message: string) {
    super('INVALID_ARGUMENT', operation, `${operation}: ${message}`);
  }
}

/** Redis could not be reached. */
export class ConnectionError extends FlexqError {
  override name = 'ConnectionError';
  constructor(operation: string, message: string, cause?: unknown) {
    super('CONNECTION', operation, message, { cause });
  }
}

/**
 * A call Redis stopped answering: the connection was lost and did not come back in time. It may or
 * may not have been carried out (a push may have been stored); `reason` says what happened.
 */
export class CallCutOffError extends ConnectionError {
  override name = 'CallCutOffError';
  constructor(operation: string, address: string, readonly reason: string, cause: unknown) {
    super(operation, `${operation}: Redis at ${address} stopped answering (${reason}): it may not have been carried out`, cause);
  }
}

/**
 * Redis refused a write because it is at `maxmemory` and may not evict (`noeviction`): nothing of
 * the call was stored. Workers can still finish, renew and hand back the jobs they hold.
 */
export class RedisFullError extends FlexqError {
  override name = 'RedisFullError';
  constructor(operation: string, cause: unknown) {
    super('REDIS_FULL', operation, 'Redis is full (used memory is over maxmemory and the policy evicts nothing): nothing was stored. Free memory or raise maxmemory', { cause });
  }
}

/**
 * The Redis user may not do this (its ACL rules refuse a command or key flexq needs): a read-only
 * user trying a change, say. Nothing was changed.
 */
export class PermissionError extends FlexqError {
  override name = 'PermissionError';
  constructor(operation: string, cause: unknown) {
    super('NO_PERMISSION', operation, `the Redis user may not ${operation} (its ACL rules refuse it; see the README's Security section): ${(cause as Error).message}`, { cause });
  }
}

/** Whether Redis refused a command for the user's ACL rules, directly or inside a function. */
export function isPermissionRefusal(err: unknown): boolean {
  return err instanceof Error && (err.message.startsWith('NOPERM') || /can't run this command/.test(err.message));
}

/**
 * With `durability: 'replicated'`: the primary stored the call's writes, but no replica confirmed
 * them in time. They are there, and may be lost only if the primary fails before a replica syncs.
 */
export class NotReplicatedError extends FlexqError {
  override name = 'NotReplicatedError';
  constructor(operation: string, waitedMs: number) {
    super('NOT_REPLICATED', operation, `stored on the Redis primary, but no replica confirmed it within ${waitedMs} ms: a failover now could lose it`);
  }
}

/**
 * Whether ioredis gave up on a command because Redis stopped answering (its retries per request ran
 * out, or the connection closed or was refused), as opposed to Redis answering with an error.
 */
export function isRedisUnreachable(error: unknown): boolean {
  if (error instanceof CallCutOffError) return true;
  if (!(error instanceof Error) || error instanceof FlexqError) return false;
  return error.name === 'MaxRetriesPerRequestError' || /max retries per request|Connection is closed|ECONNREFUSED|ECONNRESET|EPIPE|ETIMEDOUT/i.test(error.message);
}

/**
 * Why Redis did not answer, in a user's words. ioredis's own text for a command it gave up on names
 * an option flexq sets itself ("Reached the max retries per request limit…"); a socket error
 * (`connect ECONNREFUSED 127.0.0.1:6379`) already says what happened.
 */
export function unreachableReason(error: Error): string {
  if (error instanceof CallCutOffError) return error.reason;
  if (error.name === 'MaxRetriesPerRequestError' || /max retries per request/i.test(error.message)) return 'the connection was lost and reconnecting has not worked yet';
  if (/Connection is closed/i.test(error.message)) return 'the connection was closed';
  return error.message;
}

/** The queue handle was closed. */
export class QueueClosedError extends FlexqError {
  override name = 'QueueClosedError';
  constructor(operation: string, queue: string) {
    super('CLOSED', operation, `${operation}: queue "${queue}" is closed`);
  }
}

/** The codes a Lua script returns in the first slot of its reply, turned into errors here alone. */
export function scriptError(
  code: string,
  operation: string,
  jobId: string,
  queue: string,
  detail: string | undefined,
  allowed: string,
): FlexqError {
  switch (code) {
    case 'NOT_FOUND':
      return new JobNotFoundError(operation, jobId, queue);
    case 'BAD_STATE':
      return new InvalidJobStateError(operation, jobId, (detail ?? 'unknown') as JobStatus, allowed);
    case 'ID_EXISTS':
      return new FlexqError('ID_EXISTS', operation, `${operation}: job id ${jobId} already exists in queue "${queue}"`);
    default:
      return new FlexqError('INVALID_ARGUMENT', operation, `${operation}: unexpected script reply ${code}`);
  }
}
