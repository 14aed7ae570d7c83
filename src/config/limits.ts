/**
 * The ranges flexq.toml and the command line accept, in one place. Durations are milliseconds.
 *
 * Node's timers hold a signed 32-bit millisecond count: a longer delay fires after 1 ms instead
 * (with only a warning), so any duration that ends up in a timer must stay at or below
 * `MAX_TIMER_MS`. Durations that only become times stored in Redis (retry delays, dispatch delays,
 * retention ages) may be longer, up to `MAX_SCHEDULE_MS`.
 */
export const LIMITS = {
  /** The longest delay `setTimeout` honours: 2^31 − 1 ms, about 24.8 days. */
  maxTimerMs: 2_147_483_647,
  /** The longest wait stored as a time in Redis (retry and dispatch delays, retention age): 365 days. */
  maxScheduleMs: 365 * 86_400_000,
  /** Most handlers one worker may run at once. */
  maxConcurrency: 10_000,
  /** Most jobs `flexq jobs` lists (the engine's page limit). */
  maxListLimit: 10_000,
  /**
   * Shortest time between two jobs of `flexq demo`: at most 100 jobs a second. With no floor an
   * interval of 0 dispatched as fast as Redis answered, thousands of jobs a second, with no end.
   */
  minDemoIntervalMs: 10,
} as const;

/** An inclusive range of milliseconds a duration setting accepts. */
export interface DurationRange {
  min: number;
  max: number;
}

/** For durations that end up in a timer: a poll, a lease, a job or shutdown timeout. */
export const TIMER_RANGE: DurationRange = { min: 1, max: LIMITS.maxTimerMs };
/** For timers where 0 means "at once" (shutdown timeout, drain timeout). */
export const TIMER_OR_ZERO_RANGE: DurationRange = { min: 0, max: LIMITS.maxTimerMs };
/** `flexq demo --interval`: a timer with a floor, so the demo cannot flood Redis. */
export const DEMO_INTERVAL_RANGE: DurationRange = { min: LIMITS.minDemoIntervalMs, max: LIMITS.maxTimerMs };
/** For durations stored as times in Redis, never put in a timer. */
export const SCHEDULE_RANGE: DurationRange = { min: 0, max: LIMITS.maxScheduleMs };
/** A rate limit's window: counted in Redis, so as long as a stored time, but never empty. */
export const RATE_WINDOW_RANGE: DurationRange = { min: 1, max: LIMITS.maxScheduleMs };

/** `1 ms`, `2147483647 ms (about 24.8 days)`, `31536000000 ms (365 days)`: exact, with a readable hint. */
export function describeMs(ms: number): string {
  const days = ms / 86_400_000;
  if (days < 1) return `${ms} ms`;
  return Number.isInteger(days) ? `${ms} ms (${days} days)` : `${ms} ms (about ${days.toFixed(1)} days)`;
}

/** What a range error says was expected, e.g. `a duration from 1 ms to 2147483647 ms (about 24.9 days)`. */
export function describeRange({ min, max }: DurationRange): string {
  return `a duration from ${describeMs(min)} to ${describeMs(max)}`;
}

/**
 * A delay safe to give `setTimeout`: clamped into 0..2^31−1 ms. Validated settings never need the
 * clamp; it is there so no computed delay can overflow into a 1 ms busy loop.
 */
export function timerDelay(ms: number): number {
  return Math.min(Math.max(0, ms), LIMITS.maxTimerMs);
}
