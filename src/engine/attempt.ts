/**
 * One running attempt of a job, and how its end becomes the outcome the worker records.
 */
import { bytesOver, toJson } from './codec.js';
import type { Lease, Outcome } from './worker-wire.js';
import type { Job, JobResult } from './types.js';

/** Why a running handler's `ctx.signal` aborted; `signal.reason` is one of these. */
export class JobAbortedError extends Error {
  override readonly name = 'JobAbortedError';
  constructor(readonly kind: 'cancelled' | 'timeout' | 'lease-lost' | 'shutdown', message: string) {
    super(message);
  }
}

/** The key of a running attempt: one job can have an old attempt still returning and a new one. */
export function leaseKey(lease: Lease): string {
  return `${lease.id}:${lease.token}`;
}

/** How an attempt's handler ended, or that it was aborted first. */
export type Settled = { result: JobResult } | { error: unknown } | { aborted: JobAbortedError };

/**
 * One running attempt. Its AbortController is made only when the handler reads `ctx.signal`
 * (most never do, and one per job is not free); an abort reaches the handler and the worker alike.
 */
export class Attempt {
  private controller?: AbortController;
  private settle?: (settled: Settled) => void;
  abortReason?: JobAbortedError;
  /** Whether the attempt is over (its slot freed, its outcome queued): late work of its handler's is dropped. */
  ended = false;
  /** The lease's key in the worker's running attempts (see leaseKey), made once per attempt. */
  readonly key: string;

  constructor(readonly lease: Lease) {
    this.key = leaseKey(lease);
  }

  get signal(): AbortSignal {
    if (!this.controller) {
      this.controller = new AbortController();
      if (this.abortReason) this.controller.abort(this.abortReason);
    }
    return this.controller.signal;
  }

  abort(reason: JobAbortedError): void {
    if (this.abortReason) return;
    this.abortReason = reason;
    this.controller?.abort(reason);
    this.settle?.({ aborted: reason });
  }

  /** The handler's end or the abort, whichever comes first. */
  race(handled: Promise<JobResult>): Promise<Settled> {
    return new Promise((resolve) => {
      this.settle = resolve;
      if (this.abortReason) resolve({ aborted: this.abortReason });
      handled.then((result) => resolve({ result }), (error: unknown) => resolve({ error }));
    });
  }
}

/**
 * A failed attempt: retried after its delay (`retryDelays[n-1]`, the last repeating, or the
 * handler's longer `retryAfter`) while attempts remain and it is retryable, else failed for good.
 */
export function failureOutcome(
  job: Job, lease: Lease, error: string, retryable: boolean, retryAfter: number, retryDelays: readonly number[],
): Outcome {
  if (retryable && job.attempts < job.maxAttempts) {
    const planned = retryDelays[Math.min(job.attempts, retryDelays.length) - 1] ?? 0;
    return { id: lease.id, token: lease.token, kind: 'retrying', value: error, retryDelay: Math.max(planned, Math.ceil(retryAfter)) };
  }
  return { id: lease.id, token: lease.token, kind: 'failed', value: error, retryDelay: 0 };
}

/** The longest wait a handler's `retryAfter` may ask for: 30 days. */
export const MAX_RETRY_AFTER_MS = 30 * 24 * 3_600_000;

/** A non-string `error` as text: JSON where it has one (an object), else its String form. */
function describeValue(value: unknown): string {
  try {
    return JSON.stringify(value) ?? String(value);
  } catch {
    return String(value);
  }
}

/**
 * The error text of a failed JobResult, with a note when its `retryAfter` was unusable (then the
 * planned delay applies): nothing a handler returns may reach Redis unchecked.
 */
function failureOf(result: JobResult): { error: string; retryAfter: number } {
  const given = result.error;
  let error = given === undefined ? 'handler reported failure' : typeof given === 'string' ? given : describeValue(given);
  const { retryAfter } = result;
  if (retryAfter === undefined) return { error, retryAfter: 0 };
  if (typeof retryAfter !== 'number' || !Number.isFinite(retryAfter) || retryAfter < 0 || retryAfter > MAX_RETRY_AFTER_MS) {
    error += ` (retryAfter ignored: must be a number of ms from 0 to ${MAX_RETRY_AFTER_MS}, got ${typeof retryAfter === 'string' ? JSON.stringify(retryAfter) : String(retryAfter)})`;
    return { error, retryAfter: 0 };
  }
  return { error, retryAfter };
}

/** The outcome of a handler's JobResult (a malformed one, or unserialisable data, is a failure). */
export function resultOutcome(job: Job, lease: Lease, result: JobResult, retryDelays: readonly number[], maxResultBytes: number): Outcome {
  if (typeof result !== 'object' || result === null || typeof result.success !== 'boolean') {
    return failureOutcome(job, lease, 'handler returned no JobResult ({ success: boolean, … })', true, 0, retryDelays);
  }
  if (!result.success) {
    const { error, retryAfter } = failureOf(result);
    return failureOutcome(job, lease, error, result.retry !== false, retryAfter, retryDelays);
  }
  try {
    const value = result.data === undefined ? '' : toJson('handler', 'result data', result.data);
    // Held to the payload's limit: a result lives in Redis with its job, read back by every getJob.
    const bytes = bytesOver(value, maxResultBytes);
    if (bytes !== undefined) {
      throw new Error(`result data is ${bytes} bytes of JSON, over the queue's maxPayloadBytes (${maxResultBytes}): keep large results elsewhere and return a reference`);
    }
    return { id: lease.id, token: lease.token, kind: 'completed', value, retryDelay: 0 };
  } catch (err) {
    return failureOutcome(job, lease, (err as Error).message, false, 0, retryDelays);
  }
}
