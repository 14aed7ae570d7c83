/**
 * Fires a queue's schedules from a worker: one timer aimed at the next due tick. Every worker of
 * the queue runs one, so schedules run while any worker does, and a tick claimed by one is skipped
 * by the others (see schedules.ts). Changes made in this process re-aim the timer at once; changes
 * made elsewhere are seen at the next tick or within `recheckMs`.
 */
import type { Reachability } from './reachability.js';
import type { QueueSchedules } from './schedules.js';
import { cappedTimeout } from './timers.js';

export class ScheduleRunner {
  private timer?: NodeJS.Timeout;
  private running = false;
  private firing = false;
  /** Set when a change arrives while firing: check again right after. */
  private again = false;
  private unsubscribe?: () => void;

  constructor(
    private readonly schedules: QueueSchedules,
    private readonly reachability: Reachability,
    private readonly recheckMs: number,
    private readonly retryMs: number,
  ) {}

  start(): void {
    if (this.running) return;
    this.running = true;
    this.unsubscribe = this.schedules.onChange(() => this.check());
    this.check();
  }

  stop(): void {
    this.running = false;
    this.unsubscribe?.();
    clearTimeout(this.timer);
    this.timer = undefined;
  }

  private check(): void {
    if (!this.running) return;
    if (this.firing) {
      this.again = true;
      return;
    }
    clearTimeout(this.timer);
    this.firing = true;
    this.schedules.fireDue().then(
      (nextIn) => this.aim(nextIn < 0 ? this.recheckMs : Math.min(nextIn, this.recheckMs)),
      (err: unknown) => {
        // Reported once with the worker's other Redis trouble, not on every retry.
        this.reachability.unreachable(err);
        this.aim(this.retryMs);
      },
    );
  }

  /**
   * Ends a firing and sets the next check. The firing ends here, not in a `finally` a few ticks
   * later: a change arriving in between would find it still firing, mark `again`, and wait for this
   * timer (up to `recheckMs`) instead of checking at once.
   */
  private aim(ms: number): void {
    this.firing = false;
    if (!this.running) return;
    const delay = this.again ? 0 : ms;
    this.again = false;
    this.timer = cappedTimeout(() => this.check(), delay);
  }
}
