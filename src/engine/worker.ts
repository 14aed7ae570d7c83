import type { Redis } from 'ioredis';
import { pino, type Logger } from 'pino';
import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';
import { performance } from 'node:perf_hooks';
import { decodeJob, toJson } from './codec.js';
import { DEFAULTS } from './defaults.js';
import { ValidationError } from './errors.js';
import { handlerFunc, PermanentError } from './handler.js';
import { Attempt, JobAbortedError, failureOutcome, resultOutcome } from './attempt.js';
import { queueInternals, type RedisQueue } from './queue.js';
import { waitForWake, type ClaimedJob, type ClaimReply, type Outcome, type QueueStore } from './store.js';
import type { Handler, HandlerFunction, Job, JobContext, JobResult, WorkerConfig } from './types.js';


function positiveInteger(name: string, value: number | undefined, fallback: number): number {
  const chosen = value ?? fallback;
  if (!Number.isInteger(chosen) || chosen < 1) {
    throw new ValidationError('RedisWorker', `${name} must be a positive integer, got ${chosen}`);
  }
  return chosen;
}

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/**
 * What a handler gets besides its job. The signal and the child logger are made on first use:
 * most handlers touch neither, and both cost an allocation per job.
 */
class AttemptContext implements JobContext {
  readonly #job: Job;
  readonly #attempt: Attempt;
  readonly #workerLogger: Logger;
  readonly #store: QueueStore;
  #logger?: Logger;
  #progress?: (value: unknown) => Promise<void>;

  constructor(job: Job, attempt: Attempt, workerLogger: Logger, store: QueueStore) {
    this.#job = job;
    this.#attempt = attempt;
    this.#workerLogger = workerLogger;
    this.#store = store;
  }

  get signal(): AbortSignal {
    return this.#attempt.signal;
  }

  get logger(): Logger {
    return (this.#logger ??= this.#workerLogger.child({ jobId: this.#job.id, type: this.#job.type }));
  }

  /** A function of its own, so that `const { progress } = ctx` works too. */
  get progress(): (value: unknown) => Promise<void> {
    return (this.#progress ??= async (value) => {
      await this.#store.progress(this.#attempt.lease, toJson('progress', 'progress', value));
    });
  }
}

/** Runs a queue's jobs with registered handlers, at most `numWorkers` at once. */
export class RedisWorker {
  /** Handlers of this worker that run at once at most. */
  readonly numWorkers: number;
  /** This worker's id in heartbeats: host, pid and a random part. */
  readonly id = `${hostname()}:${process.pid}:${randomBytes(3).toString('hex')}`;
  private readonly pollTime: number;
  private readonly visibilityTimeout: number;
  private readonly jobTimeout: number | undefined;
  private readonly logger: Logger;
  private readonly handlers = new Map<string, Handler>();
  private readonly running = new Map<string, Attempt>();
  /** Outcomes of finished attempts not yet recorded; the next claim takes them along. */
  private outcomes: Outcome[] = [];
  private state: 'stopped' | 'running' | 'stopping' = 'stopped';
  private store?: QueueStore;
  private blocking?: Redis;
  private blockedWait?: Promise<'marker' | 'timeout' | 'failed'>;
  private markerSeen = false;
  private wakeLoop?: () => void;
  private renewTimer?: NodeJS.Timeout;
  private dueTimer?: NodeJS.Timeout;
  private renewing = false;
  private heartbeatTimer?: NodeJS.Timeout;
  private startedAt = 0;
  private lastFetchAt = 0;
  /** Slots promised to claims under way. */
  private reserved = 0;
  private wakeScheduled = false;
  private flushChain: Promise<void> = Promise.resolve();
  private redisDown = false;
  private loopDone: Promise<void> = Promise.resolve();
  private stopped?: Promise<void>;
  private resolveStopped?: () => void;
  private stopping?: Promise<void>;

  constructor(private readonly queue: RedisQueue, config: WorkerConfig = {}) {
    this.numWorkers = positiveInteger('numWorkers', config.numWorkers, DEFAULTS.numWorkers);
    this.pollTime = positiveInteger('pollTime', config.pollTime, DEFAULTS.pollTime);
    this.visibilityTimeout = positiveInteger('visibilityTimeout', config.visibilityTimeout, DEFAULTS.visibilityTimeout);
    this.jobTimeout = config.jobTimeout === undefined ? undefined : positiveInteger('jobTimeout', config.jobTimeout, 0);
    this.logger = (config.logger ?? pino({ level: 'silent' })).child({ queue: queue.name });
  }

  /** Routes jobs of `type` to `handler`; may be called before or after `start`. */
  registerHandler(type: string, handler: Handler | HandlerFunction): void {
    if (typeof type !== 'string' || type === '') throw new ValidationError('registerHandler', 'job type must be a non-empty string');
    const usable = typeof handler === 'function' ? handlerFunc(handler) : handler;
    if (typeof usable?.handle !== 'function') {
      throw new ValidationError('registerHandler', `handler for "${type}" must be a function or have a handle(ctx, job) method`);
    }
    this.handlers.set(type, usable);
  }

  /** True from `start()` until `stop()` has resolved. */
  isRunning(): boolean {
    return this.state !== 'stopped';
  }

  /** Jobs this worker is running now. */
  get activeJobs(): number {
    return this.running.size;
  }

  /** Starts claiming jobs; resolves once the worker has stopped (by `stop()` or `signal`). */
  start(signal?: AbortSignal): Promise<void> {
    if (this.state !== 'stopped') return this.stopped!;
    const { store, client } = queueInternals(this.queue);
    this.store = store;
    this.blocking = client.duplicate({ connectionName: `flexq:${this.queue.name}:wait` });
    this.blocking.on('error', () => {}); // failures surface where the wait is awaited
    this.state = 'running';
    this.stopping = undefined;
    this.stopped = new Promise((resolve) => (this.resolveStopped = resolve));
    const renewEvery = Math.min(Math.floor(this.visibilityTimeout / 3), DEFAULTS.maxRenewInterval);
    this.renewTimer = setInterval(() => void this.renewLeases(), Math.max(10, renewEvery));
    this.startedAt = Date.now();
    this.heartbeatTimer = setInterval(() => void this.heartbeat(), DEFAULTS.heartbeatInterval);
    void this.heartbeat();
    this.loopDone = this.fetchLoop();
    if (signal) {
      if (signal.aborted) void this.stop();
      else signal.addEventListener('abort', () => void this.stop(), { once: true });
    }
    return this.stopped;
  }

  /**
   * Stops gracefully: claims nothing more and waits for running jobs, whose outcomes are stored when
   * it resolves. With `timeout`, jobs still running then are aborted and handed back to the queue.
   */
  stop(options: { timeout?: number } = {}): Promise<void> {
    if (this.state === 'stopped') return Promise.resolve();
    this.stopping ??= this.shutDown(options.timeout);
    return this.stopping;
  }

  private async shutDown(timeout: number | undefined): Promise<void> {
    this.state = 'stopping';
    this.wakeLoop?.();
    this.blocking?.disconnect();
    await this.loopDone;
    const drained = this.waitForIdle();
    if (timeout === undefined) {
      await drained;
    } else {
      let timer: NodeJS.Timeout | undefined;
      const timedOut = new Promise<boolean>((resolve) => (timer = setTimeout(() => resolve(true), timeout)));
      // The timer is cleared either way, so a stopped worker keeps no process alive.
      const late = await Promise.race([drained.then(() => false), timedOut]);
      clearTimeout(timer);
      if (late) await this.handBack();
    }
    clearInterval(this.renewTimer);
    clearInterval(this.heartbeatTimer);
    clearTimeout(this.dueTimer);
    await this.flushOutcomes(true);
    await this.store!.removeHeartbeats([this.id]).catch(() => {});
    this.state = 'stopped';
    this.resolveStopped?.();
  }

  private async waitForIdle(): Promise<void> {
    while (this.running.size > 0) await new Promise<void>((resolve) => (this.wakeLoop = resolve));
  }

  private async handBack(): Promise<void> {
    const leases = [...this.running.values()].map((attempt) => {
      attempt.abort(new JobAbortedError('shutdown', 'worker shutting down: job handed back to the queue'));
      return attempt.lease;
    });
    this.running.clear();
    try {
      const released = await this.store!.release(leases);
      this.logger.warn({ released }, 'shutdown timeout: running jobs handed back to the queue');
    } catch (err) {
      this.logger.error({ err }, 'could not hand jobs back; they run again once their lease expires');
    }
  }

  /**
   * Claims while slots are free. While claims come back full, it keeps up to `claimsInFlight` of
   * them under way, each for a share of the slots, so Redis runs one batch's script while Node runs
   * the jobs of another; otherwise (an idle queue) one claim at a time.
   */
  private async fetchLoop(): Promise<void> {
    const inFlight = new Set<Promise<void>>();
    // Set by a claim that found less than it asked for, or failed.
    const found: { starved?: boolean; failed?: boolean; busy?: boolean } = {};
    while (this.state === 'running') {
      if (found.failed || found.starved) {
        await Promise.all(inFlight);
        const { failed } = found;
        found.failed = found.starved = false;
        if (failed) await this.pause(this.pollTime);
        else await this.idleWait();
        continue;
      }
      const free = this.numWorkers - this.running.size - this.reserved;
      if (free <= 0 || inFlight.size >= (found.busy ? DEFAULTS.claimsInFlight : 1)) {
        await new Promise<void>((resolve) => (this.wakeLoop = resolve));
        continue;
      }
      const wanted = Math.min(free, DEFAULTS.maxClaimBatch, Math.ceil(this.numWorkers / DEFAULTS.claimsInFlight));
      this.reserved += wanted;
      this.lastFetchAt = Date.now();
      const claim: Promise<void> = this.claim(wanted)
        .then((reply) => {
          this.markReachable();
          this.scheduleDue(reply.nextDue);
          for (const claimed of reply.jobs) this.launch(claimed);
          found.busy = reply.jobs.length === wanted;
          found.starved = !found.busy;
        }, (err: unknown) => {
          this.markUnreachable(err);
          found.failed = true;
        })
        .finally(() => {
          this.reserved -= wanted;
          inFlight.delete(claim);
          this.wakeLoop?.();
        });
      inFlight.add(claim);
    }
    await Promise.all(inFlight);
  }

  /** Claims jobs, sending the outcomes waiting to be recorded in the same round trip. */
  private async claim(count: number): Promise<ClaimReply> {
    const batch = this.outcomes;
    if (batch.length === 0) return this.store!.claim(count, this.visibilityTimeout);
    this.outcomes = [];
    try {
      const [flags, reply] = await this.store!.finishAndClaim(batch, count, this.visibilityTimeout);
      this.reportStale(batch, flags);
      return reply;
    } catch (err) {
      this.outcomes.unshift(...batch);
      throw err;
    }
  }

  private pause(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(resolve, ms);
      this.wakeLoop = () => {
        clearTimeout(timer);
        resolve();
      };
    });
  }

  /**
   * Waits until there may be work: a wake marker (Redis leaves one whenever jobs become ready),
   * something falling due (see `onDue`), or a stop. A `pollTime` that passes quietly does not cost
   * a claim: markers already say when jobs are ready, so only every `idleChecks`-th quiet poll
   * claims anyway, in case a worker died between taking a marker and claiming.
   */
  private async idleWait(): Promise<void> {
    for (let quietPolls = 0; quietPolls < DEFAULTS.idleChecks; quietPolls++) {
      if (this.markerSeen || this.state !== 'running') break;
      const quiet = await new Promise<boolean>((resolve) => {
        this.wakeLoop = () => resolve(false);
        void this.waitForMarker().then((outcome) => resolve(outcome === 'timeout'));
      });
      if (!quiet) break;
    }
    this.markerSeen = false;
  }

  /** Keeps one timer for the next delayed or retrying job or lease deadline that a claim reported. */
  private scheduleDue(nextDue: number): void {
    clearTimeout(this.dueTimer);
    // A reply that lands after stop() sets no timer: it would keep a stopped worker's process alive.
    this.dueTimer = nextDue < 0 || this.state !== 'running' ? undefined : setTimeout(() => this.onDue(), nextDue);
  }

  /**
   * Something fell due. With a slot free the fetch loop claims it; with every slot busy this worker
   * still runs the upkeep, which promotes the job and wakes an idle worker: this one may be the
   * only worker that knows the time.
   */
  private onDue(): void {
    this.dueTimer = undefined;
    if (this.state !== 'running') return;
    if (this.running.size + this.reserved < this.numWorkers) {
      this.wakeLoop?.();
      return;
    }
    this.store!.claim(0, this.visibilityTimeout).then(
      (reply) => this.scheduleDue(reply.nextDue),
      (err: unknown) => this.markUnreachable(err),
    );
  }

  /**
   * One BLPOP at a time: a marker it receives while the loop is busy is kept for the next wait.
   * Resolves with how the wait ended.
   */
  private waitForMarker(): Promise<'marker' | 'timeout' | 'failed'> {
    this.blockedWait ??= waitForWake(this.blocking!, this.store!.keys, this.pollTime)
      .then((woken): 'marker' | 'timeout' => {
        if (woken) this.markerSeen = true;
        return woken ? 'marker' : 'timeout';
      })
      .catch(async (err: unknown): Promise<'failed'> => {
        if (this.state === 'running') {
          this.markUnreachable(err);
          await sleep(this.pollTime);
        }
        return 'failed';
      })
      .finally(() => (this.blockedWait = undefined));
    return this.blockedWait;
  }

  /** Runs one claimed job. A handler that returns its result at once settles without a promise. */
  private launch(claimed: ClaimedJob): void {
    const job = decodeJob(this.queue.name, claimed.id, claimed.fields, claimed.details)!;
    const attempt = new Attempt({ id: claimed.id, token: claimed.token });
    this.running.set(job.id, attempt);
    const started = performance.now();
    const handler = this.handlers.get(job.type);
    if (!handler) {
      const error = `no handler registered for job type "${job.type}"`;
      this.settle(job, attempt, failureOutcome(job, attempt.lease, error, false, 0, this.queue.retryDelays), started);
      return;
    }
    const timeout = job.timeout ?? this.jobTimeout;
    const timer = timeout === undefined ? undefined : setTimeout(
      () => attempt.abort(new JobAbortedError('timeout', `job timed out after ${timeout} ms`)),
      timeout,
    );
    let returned: JobResult | PromiseLike<JobResult>;
    try {
      returned = handler.handle(new AttemptContext(job, attempt, this.logger, this.store!), job);
    } catch (error) {
      clearTimeout(timer);
      this.settle(job, attempt, this.errorOutcome(job, attempt, error), started);
      return;
    }
    if (typeof (returned as PromiseLike<JobResult> | undefined)?.then !== 'function') {
      clearTimeout(timer);
      this.settle(job, attempt, resultOutcome(job, attempt.lease, returned as JobResult, this.queue.retryDelays), started);
      return;
    }
    void this.awaitHandler(job, attempt, Promise.resolve(returned), timer, started);
  }

  /** An async handler: its end, or an abort (cancel, timeout, lost lease, shutdown) if that comes first. */
  private async awaitHandler(job: Job, attempt: Attempt, handled: Promise<JobResult>, timer: NodeJS.Timeout | undefined, started: number): Promise<void> {
    const settled = await attempt.race(handled);
    clearTimeout(timer);
    let outcome: Outcome | undefined;
    if ('result' in settled) {
      outcome = resultOutcome(job, attempt.lease, settled.result, this.queue.retryDelays);
    } else if ('error' in settled) {
      outcome = this.errorOutcome(job, attempt, settled.error);
    } else {
      // A cancelled or lost job records nothing (its state moved on); a timed-out one fails its attempt.
      const { aborted } = settled;
      outcome = aborted.kind === 'timeout' ? failureOutcome(job, attempt.lease, aborted.message, true, 0, this.queue.retryDelays) : undefined;
      // The slot stays taken until the handler really returns, so concurrency holds even on abort.
      await handled.catch(() => {});
    }
    this.settle(job, attempt, outcome, started);
  }

  private errorOutcome(job: Job, attempt: Attempt, error: unknown): Outcome {
    const message = error instanceof Error ? error.message : String(error);
    return failureOutcome(job, attempt.lease, message, !(error instanceof PermanentError), 0, this.queue.retryDelays);
  }

  /** Ends an attempt: logs it, frees its slot and queues its outcome for the next claim. */
  private settle(job: Job, attempt: Attempt, outcome: Outcome | undefined, started: number): void {
    this.logOutcome(job, outcome, attempt, performance.now() - started);
    if (this.running.get(job.id) === attempt) this.running.delete(job.id);
    if (outcome) this.outcomes.push(outcome);
    this.slotFreed();
  }

  /**
   * Wakes the fetch loop once per turn of the event loop, so that every job finished in that turn
   * is recorded, and as many new jobs claimed, in one round trip.
   */
  private slotFreed(): void {
    if (this.state !== 'running') {
      // No claim is coming to take the outcomes along; record them now, before leases run out.
      void this.flushOutcomes(false);
    }
    if (this.wakeScheduled) return;
    this.wakeScheduled = true;
    setImmediate(() => {
      this.wakeScheduled = false;
      this.wakeLoop?.();
    });
  }

  /** One line per attempt with id, type, attempt and duration; built only when it will be written. */
  private logOutcome(job: Job, outcome: Outcome | undefined, attempt: Attempt, duration: number): void {
    const level = outcome?.kind === 'completed' ? 'info' : 'warn';
    if (!this.logger.isLevelEnabled(level)) return;
    const name = outcome?.kind ?? attempt.abortReason?.kind;
    const line = { jobId: job.id, type: job.type, attempt: job.attempts, durationMs: Math.round(duration), outcome: name };
    if (level === 'info') this.logger.info(line, 'job completed');
    else this.logger.warn({ ...line, error: outcome?.value }, `job ${name}`);
  }

  private reportStale(batch: readonly Outcome[], flags: readonly boolean[]): void {
    batch.forEach((outcome, i) => {
      if (!flags[i]) this.logger.info({ jobId: outcome.id }, 'outcome ignored: the job was cancelled or taken over meanwhile');
    });
  }

  /** Records pending outcomes; calls queue up, so awaiting the last one awaits them all. */
  private flushOutcomes(final: boolean): Promise<void> {
    this.flushChain = this.flushChain.then(() => this.recordPending(final));
    return this.flushChain;
  }

  private async recordPending(final: boolean): Promise<void> {
    for (let attempt = 0; this.outcomes.length > 0; attempt++) {
      const batch = this.outcomes;
      this.outcomes = [];
      try {
        this.reportStale(batch, await this.store!.finish(batch));
        this.markReachable();
      } catch (err) {
        this.outcomes.unshift(...batch);
        this.markUnreachable(err);
        if (final && attempt >= 10) {
          this.logger.error({ jobs: batch.length }, 'could not record outcomes; those jobs run again once their lease expires');
          this.outcomes = [];
          return;
        }
        await sleep(Math.min(this.pollTime, 500));
      }
    }
  }

  private async renewLeases(): Promise<void> {
    if (this.running.size === 0 || this.renewing) return;
    this.renewing = true;
    try {
      const lost = await this.store!.extendLeases([...this.running.values()].map((r) => r.lease), this.visibilityTimeout);
      for (const id of lost) {
        const entry = this.running.get(id);
        if (!entry || entry.abortReason) continue;
        const status = await this.store!.jobStatus(id);
        entry.abort(status === 'cancelled'
          ? new JobAbortedError('cancelled', 'job cancelled')
          : new JobAbortedError('lease-lost', `lease lost: the job is ${status ?? 'gone'} now`));
      }
      this.markReachable();
    } catch (err) {
      this.markUnreachable(err);
    } finally {
      this.renewing = false;
    }
  }

  /** Tells consoles this worker is alive, how busy it is and when it last asked for work. */
  private async heartbeat(): Promise<void> {
    const beat = {
      host: hostname(), pid: process.pid, busy: this.running.size, concurrency: this.numWorkers, types: [...this.handlers.keys()],
      startedAt: this.startedAt, lastFetchAt: this.lastFetchAt, lastSeenAt: Date.now(),
    };
    await this.store!.heartbeat(this.id, JSON.stringify(beat)).catch((err: unknown) => this.markUnreachable(err));
  }

  private markUnreachable(err: unknown): void {
    if (this.redisDown) return;
    this.redisDown = true;
    this.logger.error({ err }, 'Redis unreachable: worker paused until it answers again');
  }

  private markReachable(): void {
    if (!this.redisDown) return;
    this.redisDown = false;
    this.logger.info('Redis reachable again: worker resumed');
  }
}
