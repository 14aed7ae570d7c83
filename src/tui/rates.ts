/** Jobs in and out per second, counted from event-feed entries into one-second buckets. */

/** The time (ms) a Redis stream entry id `<ms>-<seq>` was written. */
export function eventTime(id: string): number {
  const ms = Number(id.split('-')[0]);
  return Number.isFinite(ms) ? ms : Date.now();
}

/** Events that bring a job in, and those that take one out (it finished, one way or another). */
const IN_EVENTS = new Set(['added', 'delayed']);
const OUT_EVENTS = new Set(['completed', 'failed', 'cancelled']);

/** Per-second counts of jobs in and out, per queue, for the last `keepSeconds`. */
export class RateMeter {
  private readonly buckets = new Map<string, Map<number, { in: number; out: number }>>();

  constructor(private readonly keepSeconds = 60, private readonly windowSeconds = 5) {}

  /** Counts one event of `queue`. */
  record(queue: string, event: string, jobs: number, atMs: number): void {
    const direction = IN_EVENTS.has(event) ? 'in' : OUT_EVENTS.has(event) ? 'out' : null;
    if (!direction || jobs === 0) return;
    let perQueue = this.buckets.get(queue);
    if (!perQueue) this.buckets.set(queue, (perQueue = new Map()));
    const second = Math.floor(atMs / 1000);
    const bucket = perQueue.get(second) ?? { in: 0, out: 0 };
    bucket[direction] += jobs;
    perQueue.set(second, bucket);
    for (const old of perQueue.keys()) if (old < second - this.keepSeconds) perQueue.delete(old);
  }

  /** Counts per second, oldest first, over the last `seconds` complete seconds (all queues, or one). */
  history(direction: 'in' | 'out', seconds: number, nowMs: number, queue?: string): number[] {
    const current = Math.floor(nowMs / 1000);
    const queues = queue === undefined ? [...this.buckets.values()] : [this.buckets.get(queue) ?? new Map()];
    const counts: number[] = [];
    for (let s = current - seconds; s < current; s++) {
      counts.push(queues.reduce((sum, perQueue) => sum + (perQueue.get(s)?.[direction] ?? 0), 0));
    }
    return counts;
  }

  /** Average per second over the recent window. */
  rate(direction: 'in' | 'out', nowMs: number, queue?: string): number {
    const counts = this.history(direction, this.windowSeconds, nowMs, queue);
    return counts.reduce((a, b) => a + b, 0) / this.windowSeconds;
  }
}
