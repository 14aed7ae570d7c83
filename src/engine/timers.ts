/**
 * Timers that cannot overflow. Node fires a timer of more than 2^31−1 ms after 1 ms (with a
 * TimeoutOverflowWarning), which turned a job due in 25 days into a worker that spun.
 */

/** The longest delay a Node timer takes as it is (about 24.8 days). */
export const MAX_TIMER_MS = 2 ** 31 - 1;

/**
 * A timer for `ms`, capped at MAX_TIMER_MS: callers whose wait can be longer (a due time from
 * Redis) re-check when it fires, so firing early is safe and firing at once never happens.
 */
export function cappedTimeout(callback: () => void, ms: number): NodeJS.Timeout {
  return setTimeout(callback, Math.min(Math.max(0, ms), MAX_TIMER_MS));
}

/** Resolves after `ms` (capped as above). */
export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => cappedTimeout(resolve, ms));
}
