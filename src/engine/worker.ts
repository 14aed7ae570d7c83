import { inspect } from 'node:util';
import { pino, type Logger } from 'pino';
import { randomBytes } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import { hostname } from 'node:os';
import { DEFAULTS } from './defaults.js';
import { ValidationError } from './errors.js';
import { handlerFunc } from './handler.js';
import { JobAbortedError, type Attempt } from './attempt.js';
import { AttemptRunner } from './attempt-runner.js';
import { Heartbeat } from './heartbeat.js';
import { LeaseKeeper } from './lease-keeper.js';
import { OutcomeBuffer } from './outcome-buffer.js';
import { registerQueue } from './operations-store.js';
import type { RedisQueue } from './queue.js';
import type { HandlerOf, JobMap, JobType, UntypedJobs } from './job-map.js';
import { attachWorker, queueInternals } from './queue-connection.js';
import { Reachability } from './reachability.js';
import { ScheduleRunner } from './schedule-runner.js';
import type { WorkerStore } from './store.js';
import { ClaimRequests, type ClaimReply, type ClaimRequest } from './worker-wire.js';
import { openIdleWaiter, type IdleWaiter } from './shard-waiter.js';
import { MAX_TIMER_MS, cappedTimeout } from './timers.js';
import type { Handler, HandlerFunction, ModuleHandler, WorkerConfig } from './types.js';
import { checkStopOptions, workerSettings } from './worker-options.js';
import { ModuleHandlers } from './isolation/module-handler.js';

/** What a worker builds when it starts and drops when it stops. */
interface Running {
  store: WorkerStore;
  waiter: IdleWaiter;
  leases: LeaseKeeper;
  heartbeat: Heartbeat;
  outcomes: OutcomeBuffer;
  attempts: AttemptRunner;
  schedules: ScheduleRunner;
}

/**
 * Runs a queue's jobs with registered handlers, at most `numWorkers` at once; a queue connected
 * with a job map (`M`, see job-map.ts) types each handler's job by its type.
 */
export class RedisWorker<M extends JobMap<M> = UntypedJobs> {
  /** Handlers of this worker that run at once at most. */
  readonly numWorkers: number;
  /** This worker's id in heartbeats: host, pid and a random part. */
  readonly id = `${hostname()}:${process.pid}:${randomBytes(3).toString('hex')}`;
  private readonly pollTime: number;
  private readonly visibilityTimeout: number;
  private readonly jobTimeout: number | undefined;
  private readonly logger: Logger;
  private readonly reachability: Reachability;
  private readonly handlers = new Map<string, Handler>();
  /** Handlers this worker made from modules; their threads or processes end when it stops. */
  private readonly moduleHandlers: ModuleHandlers;
  /** Attempts whose handler has not returned yet, by lease (Attempt.key). */
  private readonly running = new Map<string, Attempt>();
  private readonly claimRequests = new ClaimRequests(this.id);
  /** Claims that failed: sent again with the same request, so jobs they leased are not orphaned. */
  private readonly failedClaims: ClaimRequest[] = [];
  private state: 'stopped' | 'running' | 'stopping' = 'stopped';
  private parts?: Running;
  /** Counts starts: a stopped run's idle wait, failing late, must not speak for a run started since. */
  private runs = 0;
  private detach?: () => void;
  private wakeLoop?: () => void;
  private dueTimer?: NodeJS.Timeout;
  /** When dueTimer fires (performance.now() ms: a wall clock that jumps must not move it). */
  private dueTimerAt = 0;
  private startedAt = 0;
  private lastFetchAt = 0;
  /** Slots promised to claims under way. */
  private reserved = 0;
  private wakeScheduled = false;
  /** The last claim came back short: the queue had no more ready jobs then (see slotFreed). */
  private queueEmpty = false;
  private loopDone: Promise<void> = Promise.resolve();
  private stopped?: Promise<void>;
  private resolveStopped?: () => void;
  private stopping?: Promise<void>;

  private readonly queue: RedisQueue;

  constructor(queue: RedisQueue<M>, config: WorkerConfig = {}) {
    // The job map types only the handlers registered here; at run time every queue is the same.
    this.queue = queue as unknown as RedisQueue;
    ({ numWorkers: this.numWorkers, pollTime: this.pollTime, visibilityTimeout: this.visibilityTimeout, jobTimeout: this.jobTimeout } =
      workerSettings(config));
    this.moduleHandlers = new ModuleHandlers(config);
    this.logger = (config.logger ?? pino({ level: 'silent' })).child({ queue: queue.name });
    this.reachability = new Reachability(this.logger);
  }

  /**
   * Routes jobs of `type` to `handler`; may be called before or after `start`. A `{ module }`
   * handler runs as the worker's `isolation` (or its own) says.
   */
  registerHandler<K extends JobType<M>>(type: K, typedHandler: HandlerOf<M, K> | ModuleHandler): void {
    if (typeof type !== 'string' || type === '') throw new ValidationError('registerHandler', 'job type must be a non-empty string');
    // Jobs of `type` reach it only: the handler gets the job its map promises.
    const handler = typedHandler as Handler | HandlerFunction | ModuleHandler;
    const usable = this.moduleHandlers.replace(type, handler) ?? (typeof handler === 'function' ? handlerFunc(handler) : handler as Handler);
    if (typeof usable?.handle !== 'function') {
      throw new ValidationError('registerHandler', `handler for "${type}" must be a function or have a handle(ctx, job) method`);
    }
    this.handlers.set(type, usable);
    this.wakeLoop?.(); // a worker that had no handler starts claiming
  }

  /** True from `start()` until `stop()` has resolved. */
  isRunning(): boolean {
    return this.state !== 'stopped';
  }

  /** Printed or serialised, a worker shows its queue and state, never its connection (which holds the password). */
  toJSON(): { queue: string; prefix: string; running: boolean; activeJobs: number } {
    return { queue: this.queue.name, prefix: this.queue.prefix, running: this.isRunning(), activeJobs: this.activeJobs };
  }

  [inspect.custom](): string {
    return `RedisWorker ${inspect(this.toJSON())}`;
  }

  /** Attempts this worker is running now, counted until their handler has returned. */
  get activeJobs(): number {
    return this.running.size;
  }

  /** Starts claiming jobs; resolves once the worker has stopped (by `stop()` or `signal`). */
  start(signal?: AbortSignal): Promise<void> {
    if (this.state !== 'stopped') return this.stopped!;
    // Told to stop before it began: claim nothing (a claim sent before stop() ran would start a job).
    if (signal?.aborted) return Promise.resolve();
    const { store, shards, client, schedules } = queueInternals(this.queue);
    const run = ++this.runs;
    const outcomes = new OutcomeBuffer(store, this.logger, this.reachability, this.pollTime);
    this.parts = {
      store,
      waiter: openIdleWaiter(shards, client, `${this.queue.name}:wait`, this.pollTime, this.reachability, {
        running: () => this.state === 'running' && this.runs === run,
        hasFreeSlot: () => this.freeSlots() > 0,
        wakeLoop: () => this.wakeLoop?.(),
      }),
      leases: new LeaseKeeper(store, this.running, this.visibilityTimeout, this.reachability),
      heartbeat: new Heartbeat(store, this.id, () => ({
        busy: this.running.size, concurrency: this.numWorkers, types: [...this.handlers.keys()],
        startedAt: this.startedAt, lastFetchAt: this.lastFetchAt,
      }), this.reachability, () => registerQueue(client, this.queue.prefix, this.queue.name, this.queue.shardCount)),
      outcomes,
      attempts: new AttemptRunner({
        queue: this.queue, workerId: this.id, handlers: this.handlers, running: this.running, jobTimeout: this.jobTimeout,
        logger: this.logger, reachability: this.reachability, store, outcomes, slotFreed: () => this.slotFreed(),
      }),
      schedules: new ScheduleRunner(schedules, this.reachability, DEFAULTS.scheduleRecheck, this.pollTime),
    };
    this.state = 'running';
    this.detach = attachWorker(this.queue, this);
    this.stopping = undefined;
    this.stopped = new Promise((resolve) => (this.resolveStopped = resolve));
    this.startedAt = Date.now();
    this.parts.leases.start();
    this.parts.heartbeat.start();
    this.parts.schedules.start();
    this.loopDone = this.fetchLoop();
    signal?.addEventListener('abort', () => void this.stop(), { once: true });
    return this.stopped;
  }

  /**
   * Stops gracefully: claims nothing more and waits for running jobs, whose outcomes are stored when
   * it resolves. With `timeout`, jobs still running then are aborted and handed back to the queue.
   */
  stop(options: { timeout?: number } = {}): Promise<void> {
    try {
      checkStopOptions(options);
    } catch (err) {
      return Promise.reject(err);
    }
    if (this.state === 'stopped') return Promise.resolve();
    this.stopping ??= this.shutDown(options.timeout);
    return this.stopping;
  }

  private async shutDown(timeout: number | undefined): Promise<void> {
    const parts = this.parts!;
    this.state = 'stopping';
    parts.schedules.stop();
    this.wakeLoop?.();
    parts.waiter.close();
    await this.loopDone;
    const drained = this.waitForIdle();
    if (timeout === undefined) {
      await drained;
    } else {
      let timer: NodeJS.Timeout | undefined;
      const timedOut = new Promise<boolean>((resolve) => (timer = cappedTimeout(() => resolve(true), timeout)));
      // The timer is cleared either way, so a stopped worker keeps no process alive.
      const late = await Promise.race([drained.then(() => false), timedOut]);
      clearTimeout(timer);
      if (late) await this.handBack();
    }
    parts.leases.stop();
    this.clearDueTimer();
    await parts.outcomes.flush(true);
    parts.outcomes.close();
    await parts.heartbeat.stop();
    this.moduleHandlers.close();
    this.detach?.();
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
      const released = await this.parts!.store.release(leases);
      this.logger.warn({ released }, 'shutdown timeout: running jobs handed back to the queue');
    } catch (err) {
      this.logger.error({ err }, 'could not hand jobs back; they run again once their lease expires');
    }
  }

  private freeSlots(): number {
    return this.numWorkers - this.running.size - this.reserved;
  }

  private interrupted(): Promise<void> {
    return new Promise<void>((resolve) => (this.wakeLoop = resolve));
  }

  /**
   * Claims while slots are free. While claims come back full, it keeps up to `claimsInFlight` of
   * them under way, each for a share of the slots, so Redis runs one batch's script while Node runs
   * the jobs of another; otherwise (an idle queue) one claim at a time. A worker with no handler
   * claims nothing: it could only fail the jobs.
   */
  private async fetchLoop(): Promise<void> {
    const inFlight = new Set<Promise<void>>();
    // Set by a claim that found less than it asked for, or failed; heldFor by the rate limit (-1: not held).
    const found: { starved?: boolean; failed?: boolean; busy?: boolean; heldFor?: number } = {};
    let warnedIdle = false;
    while (this.state === 'running') {
      if (this.handlers.size === 0) {
        if (!warnedIdle) this.logger.warn('no handler registered: this worker claims no job until one is');
        warnedIdle = true;
        await this.interrupted();
        continue;
      }
      if (found.failed || found.starved) {
        await Promise.all(inFlight);
        const { failed, heldFor = -1 } = found;
        found.failed = found.starved = false;
        found.heldFor = -1;
        if (failed) await this.pause(this.pollTime);
        // Held by the rate limit: no wake marker can help before the window opens, so no BLPOP
        // either; pollTime bounds the wait, so a lifted or raised limit is seen within it.
        else if (heldFor >= 0) await this.pause(Math.min(heldFor + 1, this.pollTime));
        else await this.parts!.waiter.idle(this.interrupted());
        continue;
      }
      const free = this.freeSlots();
      if (free <= 0 || inFlight.size >= (found.busy ? DEFAULTS.claimsInFlight : 1)) {
        await this.interrupted();
        continue;
      }
      const wanted = Math.min(free, DEFAULTS.maxClaimBatch, Math.ceil(this.numWorkers / DEFAULTS.claimsInFlight));
      this.reserved += wanted;
      this.lastFetchAt = Date.now();
      const request = this.failedClaims.shift() ?? this.claimRequests.next();
      const claim: Promise<void> = this.claim(wanted, request)
        .then((reply) => {
          this.reachability.reachable();
          this.scheduleDue(reply.nextDue);
          found.busy = reply.jobs.length === wanted;
          found.starved = !found.busy;
          found.heldFor = reply.heldFor;
          this.queueEmpty = found.starved;
          for (const claimed of reply.jobs) this.parts!.attempts.launch(claimed);
        }, (err: unknown) => {
          this.reachability.unreachable(err);
          this.failedClaims.push(request);
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

  /** Waits `ms` before claiming again (Redis failed, or the rate limit holds), or less if woken; leaves no timer behind. */
  private async pause(ms: number): Promise<void> {
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([this.interrupted(), new Promise<void>((resolve) => (timer = cappedTimeout(resolve, ms)))]);
    clearTimeout(timer);
  }

  /** Claims jobs, sending the outcomes waiting to be recorded in the same round trip. */
  private async claim(count: number, request: ClaimRequest): Promise<ClaimReply> {
    const { store, outcomes } = this.parts!;
    const batch = outcomes.take();
    if (batch.length === 0) return store.claim(count, this.visibilityTimeout, request);
    try {
      const [flags, reply] = await store.finishAndClaim(batch, count, this.visibilityTimeout, request);
      outcomes.reportRecorded(batch, flags);
      return reply;
    } catch (err) {
      outcomes.putBack(batch);
      // Record them on their own: a claim can fail where recording still works (a full Redis
      // refuses nothing a worker needs, but an older library may), and leases run out meanwhile.
      void outcomes.flush(false);
      throw err;
    }
  }

  /**
   * Keeps one timer for the next delayed or retrying job or lease deadline that a claim reported.
   * A timer that fires no later than the reported time stays: firing early only brings a claim
   * whose reply sets the timer again, and a busy worker's every claim reports a time (resetting
   * the timer per claim was a visible part of its CPU).
   */
  private scheduleDue(nextDue: number): void {
    // A reply that lands after stop() sets no timer: it would keep a stopped worker's process alive.
    if (nextDue < 0 || this.state !== 'running') {
      this.clearDueTimer();
      return;
    }
    const dueAt = performance.now() + nextDue;
    if (this.dueTimer && this.dueTimerAt <= dueAt) return;
    clearTimeout(this.dueTimer);
    this.dueTimerAt = dueAt;
    this.dueTimer = cappedTimeout(() => this.onDue(), nextDue);
  }

  /** Drops the due timer; a timer left set would keep scheduleDue from setting a new one. */
  private clearDueTimer(): void {
    clearTimeout(this.dueTimer);
    this.dueTimer = undefined;
  }

  /**
   * Something fell due. With a slot free the fetch loop claims it; with every slot busy this worker
   * still runs the upkeep, which promotes the job and wakes an idle worker: this one may be the
   * only worker that knows the time.
   */
  private onDue(): void {
    this.dueTimer = undefined;
    if (this.state !== 'running') return;
    if (this.freeSlots() > 0) {
      this.wakeLoop?.();
      return;
    }
    this.parts!.store.claim(0, this.visibilityTimeout).then(
      (reply) => this.scheduleDue(reply.nextDue),
      (err: unknown) => this.reachability.unreachable(err),
    );
  }

  /**
   * Wakes the fetch loop once per turn of the event loop, so that every job finished in that turn
   * is recorded, and as many new jobs claimed, in one round trip. While the queue is known to be
   * empty (the last claim came back short), a claim now would find nothing: a job added since
   * leaves a marker, and the claim that marker brings takes the outcomes along. They are recorded
   * alone after `outcomeDelay` if no marker comes first.
   */
  private slotFreed(): void {
    if (this.state !== 'running') {
      // No claim is coming to take the outcomes along; record them now, before leases run out.
      void this.parts!.outcomes.flush(false);
    } else if (this.queueEmpty) {
      this.parts!.outcomes.flushAfter(DEFAULTS.outcomeDelay);
      return;
    }
    if (this.wakeScheduled) return;
    this.wakeScheduled = true;
    setImmediate(() => {
      this.wakeScheduled = false;
      this.wakeLoop?.();
    });
  }
}
