/**
 * What an alert rule watches, read from a queue's public API: one stats read (O(log n)), the
 * per-minute history of the rule's window (one HMGET), or the heartbeats. Each reading is taken at
 * most once per queue and check, however many rules look at it.
 */
import type { RedisQueue } from '../engine/queue.js';
import type { AlertRule } from '../config/config-types.js';

/** The readings of one queue for one check, each fetched on first use. */
export interface QueueReadings {
  /** Jobs ready to run, and when the longest-waiting of them became ready. */
  waiting(): Promise<{ jobs: number; oldestReadyAt: Date | null }>;
  /** Completed and failed jobs over the last `minutes`. */
  finished(minutes: number): Promise<{ completed: number; failed: number }>;
  /** Workers of any host heard from lately. */
  liveWorkers(): Promise<number>;
}

function once<T>(read: () => Promise<T>): () => Promise<T> {
  let result: Promise<T> | undefined;
  return () => (result ??= read());
}

/** Fresh readings of `queue`, for one check. */
export function readingsOf(queue: RedisQueue): QueueReadings {
  const finishedBy = new Map<number, Promise<{ completed: number; failed: number }>>();
  return {
    waiting: once(async () => {
      const { stats, oldestReadyAt } = await queue.getOverview();
      return { jobs: stats.pendingJobs, oldestReadyAt };
    }),
    finished: (minutes) => {
      let sums = finishedBy.get(minutes);
      if (sums === undefined) {
        sums = queue.getHistory({ minutes }).then((buckets) => ({
          completed: buckets.reduce((sum, bucket) => sum + bucket.completed, 0),
          failed: buckets.reduce((sum, bucket) => sum + bucket.failed, 0),
        }));
        finishedBy.set(minutes, sums);
      }
      return sums;
    },
    liveWorkers: once(async () => (await queue.getWorkers()).filter((worker) => worker.healthy).length),
  };
}

/** Whether a rule's condition holds now, and what was seen, in words for notices and logs. */
export interface Evaluation {
  holds: boolean;
  /** The figure compared (a rate, a count, milliseconds). */
  value: number;
  /** E.g. `1,204 jobs waiting (alert above 1,000)`. */
  detail: string;
}

/** `45s`, `12m`, `3h`, `2d`: the rounded unit a person reads. */
export function spokenDuration(ms: number): string {
  const s = Math.round(ms / 1000);
  if (s < 120) return `${s}s`;
  if (s < 7_200) return `${Math.round(s / 60)}m`;
  if (s < 172_800) return `${Math.round(s / 3_600)}h`;
  return `${Math.round(s / 86_400)}d`;
}

const count = (n: number) => n.toLocaleString('en-US');
const percent = (fraction: number) => `${Math.round(fraction * 1000) / 10}%`;

/** Evaluates `rule` on one queue's readings at time `now` (ms). */
export async function evaluate(rule: AlertRule, readings: QueueReadings, now: number): Promise<Evaluation> {
  const { condition } = rule;
  switch (condition.kind) {
    case 'failureRate': {
      const minutes = Math.ceil(condition.window / 60_000);
      const { completed, failed } = await readings.finished(minutes);
      const total = completed + failed;
      const rate = total === 0 ? 0 : failed / total;
      const holds = total >= condition.minJobs && rate >= condition.rate;
      return {
        holds, value: rate,
        detail: `${percent(rate)} of jobs failed over ${spokenDuration(condition.window)} (${count(failed)} of ${count(total)}; alert at ${percent(condition.rate)} of at least ${count(condition.minJobs)})`,
      };
    }
    case 'backlogAbove': {
      const { jobs } = await readings.waiting();
      return { holds: jobs > condition.jobs, value: jobs, detail: `${count(jobs)} jobs waiting (alert above ${count(condition.jobs)})` };
    }
    case 'oldestWaiting': {
      const { oldestReadyAt } = await readings.waiting();
      const waited = oldestReadyAt === null ? 0 : Math.max(0, now - oldestReadyAt.getTime());
      const seen = oldestReadyAt === null ? 'no job waiting' : `the oldest waiting job has waited ${spokenDuration(waited)}`;
      return { holds: waited > condition.age, value: waited, detail: `${seen} (alert above ${spokenDuration(condition.age)})` };
    }
    case 'noWorkers': {
      const live = await readings.liveWorkers();
      return { holds: live === 0, value: live, detail: live === 0 ? 'no live worker' : `${live} live worker${live === 1 ? '' : 's'}` };
    }
  }
}
