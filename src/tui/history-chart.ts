/** The queue view's charts: totals and per-minute history, as the store keeps them and as they are drawn. */

/** One minute of the history. */
export interface MinuteCounts {
  /** Start of the minute, epoch ms. */
  at: number;
  completed: number;
  failed: number;
}

/** What the queue view shows of one queue. */
export interface QueueCharts {
  queue: string;
  totals: { completed: number; failed: number };
  /** The last 24 hours, oldest first, one entry per minute. */
  minutes: MinuteCounts[];
}

/** `values` (oldest first) summed into `count` buckets of equal length, the newest last; a short first bucket takes the rest. */
export function buckets(values: readonly number[], count: number): number[] {
  if (count <= 0) return [];
  const size = Math.max(1, Math.ceil(values.length / count));
  const sums: number[] = [];
  for (let end = values.length; end > 0 && sums.length < count; end -= size) {
    sums.unshift(values.slice(Math.max(0, end - size), end).reduce((a, b) => a + b, 0));
  }
  return sums;
}

/** Minutes each bucket of a `minutes`-long chart `width` columns wide covers. */
export function minutesPerColumn(minutes: number, width: number): number {
  return Math.max(1, Math.ceil(minutes / Math.max(1, width)));
}
