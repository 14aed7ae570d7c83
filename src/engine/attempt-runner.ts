// Running a worker's claimed jobs: one attempt each, from its handler's start to its outcome and its log line (written once Redis records the outcome).
import type { Logger } from 'pino';
import { performance } from 'node:perf_hooks';
import { decodeJob } from './codec.js';
import { DEFAULTS } from './defaults.js';
import { PermanentError } from './handler.js';
import { Attempt, JobAbortedError, failureOutcome, resultOutcome } from './attempt.js';
import { AttemptContext } from './attempt-context.js';
import type { AttemptLine, OutcomeBuffer, PendingOutcome } from './outcome-buffer.js';
import type { RedisQueue } from './queue.js';
import type { Reachability } from './reachability.js';
import type { WorkerStore } from './store.js';
import { cappedTimeout } from './timers.js';
import type { Handler, Job, JobResult } from './types.js';
import type { ClaimedJob, Outcome } from './worker-wire.js';
import { HandlerKilledError } from './isolation/isolated-handler.js';

/** What the attempts of one started worker share: its handlers, running set, store and outcome buffer. */
export interface AttemptSetup {
  queue: RedisQueue;
  workerId: string;
  handlers: ReadonlyMap<string, Handler>;
  /** The worker's attempts whose handler has not returned yet, by lease (Attempt.key). */
  running: Map<string, Attempt>;
  jobTimeout: number | undefined;
  logger: Logger;
  reachability: Reachability;
  store: WorkerStore;
  outcomes: OutcomeBuffer;
  /** Called when an attempt has ended and its slot is free. */
  slotFreed: () => void;
}

/** Runs the handlers of a worker's claimed jobs and queues their outcomes. */
export class AttemptRunner {
  constructor(private readonly setup: AttemptSetup) {}

  /** Runs one claimed job. A handler that returns its result at once settles without a promise. */
  launch(claimed: ClaimedJob): void {
    const job = decodeJob(this.setup.queue.name, claimed.id, claimed.fields, claimed.details)!;
    const attempt = new Attempt({ id: claimed.id, token: claimed.token });
    this.setup.running.set(attempt.key, attempt);
    const started = performance.now();
    const handler = this.setup.handlers.get(job.type);
    if (!handler) {
      void this.unhandled(job, attempt, started);
      return;
    }
    const timeout = job.timeout ?? this.setup.jobTimeout;
    const timer = timeout === undefined ? undefined : cappedTimeout(
      () => attempt.abort(new JobAbortedError('timeout', `job timed out after ${timeout} ms`)),
      timeout,
    );
    let returned: JobResult | PromiseLike<JobResult>;
    try {
      returned = handler.handle(new AttemptContext(job, attempt, this.setup.logger, this.setup.store), job);
    } catch (error) {
      clearTimeout(timer);
      this.settle(job, attempt, this.errorOutcome(job, attempt, error), started);
      return;
    }
    if (typeof (returned as PromiseLike<JobResult> | undefined)?.then !== 'function') {
      clearTimeout(timer);
      this.settle(job, attempt, resultOutcome(job, attempt.lease, returned as JobResult, this.setup.queue.retryDelays, this.setup.queue.maxPayloadBytes), started);
      return;
    }
    void this.awaitHandler(job, attempt, Promise.resolve(returned), timer, started);
  }

  /**
   * A job of a type this worker has no handler for. While another live worker of the queue has
   * one (a rolling deploy, workers split by type), it is handed back for that worker, its attempt
   * not counted; otherwise it fails for good, naming the type.
   */
  private async unhandled(job: Job, attempt: Attempt, started: number): Promise<void> {
    const handledElsewhere = await this.setup.queue.getWorkers()
      .then((workers) => workers.some((w) => w.id !== this.setup.workerId && w.healthy && w.types.includes(job.type)))
      .catch(() => false);
    if (handledElsewhere) {
      try {
        await this.setup.store.release([attempt.lease], DEFAULTS.handOffDelay);
        this.setup.logger.info({ jobId: job.id, type: job.type }, 'no handler here for this type: job handed to the workers that have one');
        this.settle(job, attempt, undefined, started);
        return;
      } catch (err) {
        this.setup.reachability.unreachable(err);
      }
    }
    const error = `no handler registered for job type "${job.type}"`;
    this.settle(job, attempt, failureOutcome(job, attempt.lease, error, false, 0, this.setup.queue.retryDelays), started);
  }

  /** An async handler: its end, or an abort (cancel, timeout, lost lease, shutdown) if that comes first. */
  private async awaitHandler(job: Job, attempt: Attempt, handled: Promise<JobResult>, timer: NodeJS.Timeout | undefined, started: number): Promise<void> {
    const settled = await attempt.race(handled);
    clearTimeout(timer);
    let outcome: Outcome | undefined;
    if ('result' in settled) {
      outcome = resultOutcome(job, attempt.lease, settled.result, this.setup.queue.retryDelays, this.setup.queue.maxPayloadBytes);
    } else if ('error' in settled) {
      outcome = this.errorOutcome(job, attempt, settled.error);
    } else {
      // A cancelled or lost job records nothing (its state moved on); a timed-out one fails its attempt.
      const { aborted } = settled;
      outcome = aborted.kind === 'timeout' ? failureOutcome(job, attempt.lease, aborted.message, true, 0, this.setup.queue.retryDelays) : undefined;
      // The slot stays taken until the handler really returns, so concurrency holds even on abort.
      const late = await handled.then(() => undefined, (error: unknown) => error);
      if (outcome && late instanceof HandlerKilledError) outcome.value += `; ${late.message}`;
    }
    this.settle(job, attempt, outcome, started);
  }

  private errorOutcome(job: Job, attempt: Attempt, error: unknown): Outcome {
    const message = error instanceof Error ? error.message : String(error);
    return failureOutcome(job, attempt.lease, message, !(error instanceof PermanentError), 0, this.setup.queue.retryDelays);
  }

  /**
   * Ends an attempt: frees its slot and queues its outcome for the next claim, whose reply logs the
   * attempt's line (a line logged now would claim an outcome Redis may yet refuse). An attempt
   * without an outcome (cancelled, lost, handed back) records nothing, so it is logged now.
   */
  private settle(job: Job, attempt: Attempt, outcome: PendingOutcome | undefined, started: number): void {
    attempt.ended = true;
    this.setup.running.delete(attempt.key);
    if (outcome) {
      outcome.line = this.attemptLine(job, outcome.kind === 'completed' ? 'info' : 'warn', outcome.kind, started);
      this.setup.outcomes.add(outcome);
    } else {
      const line = this.attemptLine(job, 'warn', attempt.abortReason?.kind ?? 'handed back', started);
      if (line) this.setup.logger.warn(line, `job ${line.outcome}`);
    }
    this.setup.slotFreed();
  }

  /** An attempt's line with id, type, attempt and duration; built (and the clock read) only when it will be written. */
  private attemptLine(job: Job, level: 'info' | 'warn', outcome: string, started: number): AttemptLine | undefined {
    if (!this.setup.logger.isLevelEnabled(level)) return undefined;
    return { jobId: job.id, type: job.type, attempt: job.attempts, durationMs: Math.round(performance.now() - started), outcome };
  }
}
