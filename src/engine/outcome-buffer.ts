import type { Logger } from 'pino';
import type { Reachability } from './reachability.js';
import type { WorkerStore } from './store.js';
import type { Outcome, OutcomeFlag } from './worker-wire.js';
import { sleep } from './timers.js';

/** What an attempt's end line says besides its outcome; built only when the line will be written. */
export interface AttemptLine {
  jobId: string;
  type: string;
  attempt: number;
  durationMs: number;
  /** The outcome's kind, or why there is none (cancelled, lost, handed back). */
  outcome: string;
}

/** An outcome waiting to be recorded, with the line to log once Redis has recorded it. */
export interface PendingOutcome extends Outcome {
  line?: AttemptLine;
}

/**
 * Outcomes of finished attempts waiting to be recorded. A running worker's next claim takes them
 * along (one round trip for both); a stopping one records them on their own.
 *
 * A store that holds outcomes (a sharded queue's: it keeps what a shard could not record and sends
 * it with that shard's next call) answers them `held` and reports them once recorded. What such a
 * store was given is never put back here, so nothing is sent, or logged, twice; a flush then
 * still calls it with nothing new, which sends what it holds.
 */
export class OutcomeBuffer {
  private outcomes: PendingOutcome[] = [];
  /** The store keeps the outcomes it is given until it has recorded them. */
  private readonly holding: boolean;
  /** Outcomes a holding store was given and has not reported yet: this worker's to log. */
  private readonly unreported = new WeakSet<Outcome>();
  /** Stops the store's reports (a sharded queue's store outlives this worker run). */
  private readonly stopListening: () => void;
  private flushChain: Promise<void> = Promise.resolve();
  private flushing = false;
  /** A stop asked for a final flush: a retrying flush already under way gives up like one. */
  private stopping = false;
  private flushTimer?: NodeJS.Timeout;

  constructor(
    private readonly store: WorkerStore,
    private readonly logger: Logger,
    private readonly reachability: Reachability,
    private readonly retryPause: number,
  ) {
    this.holding = store.onRecorded !== undefined;
    this.stopListening = store.onRecorded?.((outcomes, recorded) => this.reportRecorded(outcomes, recorded)) ?? (() => {});
  }

  add(outcome: PendingOutcome): void {
    this.outcomes.push(outcome);
  }

  /** Records what is waiting after `ms`, unless a claim has taken it along by then. */
  flushAfter(ms: number): void {
    this.flushTimer ??= setTimeout(() => {
      this.flushTimer = undefined;
      void this.flush(false);
    }, ms);
  }

  /** Takes every waiting outcome, for a call that records them. */
  take(): PendingOutcome[] {
    const batch = this.outcomes;
    this.outcomes = [];
    if (this.holding) for (const outcome of batch) this.unreported.add(outcome);
    return batch;
  }

  /** Puts back outcomes whose call failed, ahead of newer ones (a holding store kept them itself). */
  putBack(batch: readonly PendingOutcome[]): void {
    if (!this.holding) this.outcomes.unshift(...batch);
  }

  /**
   * Logs each outcome of a recorded batch: its attempt's end line only now that Redis holds it, or
   * that Redis ignored it (its job moved on meanwhile: cancelled, recovered), by `flags`. A held
   * outcome is logged when the store reports it; outcomes another worker sent are not this one's.
   */
  reportRecorded(batch: readonly PendingOutcome[], flags: readonly OutcomeFlag[]): void {
    batch.forEach((outcome, i) => {
      const flag = flags[i];
      if (flag === 'held' || (this.holding && !this.unreported.delete(outcome))) return;
      if (!flag) this.logger.info({ jobId: outcome.id, outcome: outcome.kind }, 'outcome ignored: the job was cancelled or taken over meanwhile');
      else if (outcome.line) this.logRecorded(outcome, outcome.line);
    });
  }

  /** Hears no more of the store (a stopped worker). */
  close(): void {
    this.stopListening();
  }

  private logRecorded(outcome: Outcome, line: AttemptLine): void {
    if (outcome.kind === 'completed') this.logger.info(line, 'job completed');
    else this.logger.warn({ ...line, error: outcome.value }, `job ${outcome.kind}`);
  }

  /**
   * Records what is waiting, retrying while Redis is away; calls queue up, so awaiting the last
   * awaits them all. `final` (a stop) gives up after 10 tries: those jobs' leases run out and they
   * run again elsewhere. A retrying flush still under way then gives up as well, or a stop would
   * wait on a Redis (or a shard's primary) that never returns.
   */
  flush(final: boolean): Promise<void> {
    if (final) {
      this.stopping = true;
      clearTimeout(this.flushTimer);
      this.flushTimer = undefined;
    }
    // One retrying flush is enough while Redis is away; a final one still queues behind it.
    if (!final && this.flushing) return this.flushChain;
    this.flushing = true;
    this.flushChain = this.flushChain.then(() => this.recordPending(final)).finally(() => (this.flushing = false));
    return this.flushChain;
  }

  private async recordPending(final: boolean): Promise<void> {
    // A holding store may keep outcomes from earlier calls: it is called at least once, and again
    // after a failure, even with nothing new.
    let storeHolds = this.holding;
    for (let tries = 0; storeHolds || this.outcomes.length > 0; tries++) {
      const batch = this.take();
      try {
        this.reportRecorded(batch, await this.store.finish(batch));
        this.reachability.reachable();
        storeHolds = false;
      } catch (err) {
        this.putBack(batch);
        this.reachability.unreachable(err);
        if ((final || this.stopping) && tries >= 10) {
          this.logger.error(this.holding ? {} : { jobs: batch.length }, 'could not record outcomes; those jobs run again once their lease expires');
          this.outcomes = [];
          return;
        }
        await sleep(Math.min(this.retryPause, 500));
      }
    }
  }
}
