/**
 * Scenario 4: completions racing recovery, cancellation, retryJob and setPriority. Workers run with
 * a lease shorter than some of their jobs, so recovery takes jobs from under them, while a racer
 * cancels, retries and re-prioritises jobs at random. Checked: a completed job never goes back
 * to waiting, a cancelled job never starts again unless retried, and the stats agree with a
 * recount of the job records.
 */
import { Redis } from 'ioredis';
import { RedisWorker, type QueueStats } from '../../src/index.js';
import { eventually, openScenario, pushWork, sleep } from '../scenario.js';

export interface RacesOptions {
  redisUrl: string;
  /** Racer operations to run (cancel, retry, set priority), spread over the jobs. */
  operations: number;
  jobs: number;
}

export interface RacesFigures {
  operations: number;
  recoveries: number;
  completedReopened: number;
  startedAfterCancel: number;
  statsDrift: string[];
  ok: boolean;
}

const STATUS_CODES: Record<string, string> = { p: 'pending', a: 'processing', r: 'retrying', c: 'completed', f: 'failed', x: 'cancelled' };

export async function races(o: RacesOptions): Promise<RacesFigures> {
  const scenario = await openScenario('races', o.redisUrl);
  const { queue } = scenario;
  const workers = [1, 2].map(() => {
    const worker = new RedisWorker(queue, { numWorkers: 8, visibilityTimeout: 40, pollTime: 100 });
    worker.registerHandler('work', async () => {
      // Now and then the event loop is held past the lease, so no renewal runs: recovery takes the
      // job while its handler still finishes, and the two race.
      if (Math.random() < 0.1) {
        const until = Date.now() + 60;
        while (Date.now() < until) { /* blocked */ }
      }
      await sleep(Math.random() * 10);
      return { success: true };
    });
    return worker;
  });
  try {
    const ids = await pushWork(queue, o.jobs);
    workers.forEach((w) => void w.start());
    let done = 0;
    const racer = async () => {
      while (done < o.operations) {
        done++;
        const id = ids[Math.floor(Math.random() * ids.length)]!;
        const pick = Math.random();
        try {
          if (pick < 0.4) await queue.cancelJob(id);
          else if (pick < 0.8) await queue.retryJob(id);
          else {
            await queue.setPriority(id, Math.floor(Math.random() * 10));
          }
        } catch {
          // Refused for the job's state: the race was lost, which is the point.
        }
      }
    };
    await Promise.all([racer(), racer(), racer(), racer()]);
    const settled = await eventually(async () => {
      const s = await queue.getStats();
      return s.pendingJobs + s.processingJobs + s.retryingJobs + s.delayedJobs === 0;
    }, 60_000);
    await Promise.all(workers.map((w) => w.stop()));

    const events = await queue.readEvents('0', 1_000_000);
    const recoveries = events.filter((e) => e.event === 'recovered').reduce((n, e) => n + e.jobCount, 0);
    // In Redis's own order: a completed job that later became pending or processing again, and
    // a cancelled job claimed again without going back to pending (a retry) first.
    const completedOnce = new Set<string>();
    const cancelled = new Set<string>();
    let completedReopened = 0;
    let startedAfterCancel = 0;
    for (const e of events) {
      for (const id of e.jobIds) {
        if (e.event === 'completed') completedOnce.add(id);
        else if (e.event === 'cancelled') cancelled.add(id);
        else if (e.event === 'pending' || e.event === 'processing') {
          if (completedOnce.has(id)) completedReopened++;
          if (e.event === 'processing' && cancelled.has(id)) startedAfterCancel++;
          if (e.event === 'pending') cancelled.delete(id);
        }
      }
    }
    const statsDrift = settled ? await recount(o.redisUrl, scenario.prefix, await queue.getStats()) : ['the queue never settled'];
    return {
      operations: done, recoveries, completedReopened, startedAfterCancel, statsDrift,
      ok: completedReopened === 0 && startedAfterCancel === 0 && statsDrift.length === 0,
    };
  } finally {
    await Promise.all(workers.map((w) => w.stop({ timeout: 1_000 })));
    await scenario.close();
  }
}

/** Counts the job records by status behind the engine's back; names each count getStats gets wrong. */
async function recount(redisUrl: string, prefix: string, queueStats: QueueStats): Promise<string[]> {
  const stats: Record<string, number> = { ...queueStats };
  const client = new Redis(redisUrl);
  try {
    const counts: Record<string, number> = {};
    let cursor = '0';
    do {
      const [next, flat] = await client.hscan(`${prefix}:{chaos}:jobs`, cursor, 'COUNT', 1000);
      cursor = next;
      for (let i = 1; i < flat.length; i += 2) {
        const status = STATUS_CODES[flat[i]!.slice(0, 1)] ?? '?';
        counts[status] = (counts[status] ?? 0) + 1;
      }
    } while (cursor !== '0');
    const readyCount = Number(await client.get(`${prefix}:{chaos}:readyCount`) ?? 0);
    const drift: string[] = [];
    for (const status of ['completed', 'failed', 'cancelled', 'processing', 'retrying']) {
      const counted = stats[`${status}Jobs`] ?? 0;
      if (counted !== (counts[status] ?? 0)) drift.push(`${status}: stats ${counted}, records ${counts[status] ?? 0}`);
    }
    if (stats.pendingJobs! + stats.delayedJobs! !== (counts.pending ?? 0)) drift.push(`pending: stats ${stats.pendingJobs}, records ${counts.pending ?? 0}`);
    if (readyCount !== stats.pendingJobs) drift.push(`ready count ${readyCount}, pending ${stats.pendingJobs}`);
    return drift;
  } finally {
    client.disconnect();
  }
}
