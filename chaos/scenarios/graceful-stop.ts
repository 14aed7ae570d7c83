/**
 * Scenario 2: SIGTERM to a worker process under load, with jobs longer than its shutdown grace.
 * Nothing is lost, and the unfinished jobs are handed back at once, not after their leases expire.
 */
import { eventually, openScenario, pushWork } from '../scenario.js';
import { startWorkerProcess } from '../worker-processes.js';

export interface GracefulStopOptions {
  redisUrl: string;
  concurrency: number;
  jobMs: number;
  graceMs: number;
  visibilityMs: number;
}

export interface GracefulStopFigures {
  jobs: number;
  completed: number;
  lost: number;
  handedBack: number;
  /** From the SIGTERM to the unfinished jobs being pending again (the event feed's own time). */
  handBackMs: number;
  handBackBound: number;
  ok: boolean;
}

export async function gracefulStop(o: GracefulStopOptions): Promise<GracefulStopFigures> {
  const scenario = await openScenario('graceful', o.redisUrl);
  const env = {
    ...scenario.workerEnv, CONCURRENCY: String(o.concurrency), VISIBILITY_MS: String(o.visibilityMs),
    JOB_MS: String(o.jobMs), GRACE_MS: String(o.graceMs),
  };
  try {
    const jobs = o.concurrency * 2;
    await pushWork(scenario.queue, jobs);
    const first = await startWorkerProcess(env);
    await eventually(() => scenario.ledger.entries().filter((e) => e.what === 'start').length >= o.concurrency, 10_000);
    const stoppedAt = Date.now();
    const exited = first.kill('SIGTERM');
    const second = await startWorkerProcess(env);
    await exited;
    const completed = async () => (await scenario.queue.getStats()).completedJobs;
    await eventually(async () => (await completed()) >= jobs, jobs * o.jobMs + 20_000);
    const done = await completed();
    await second.kill('SIGTERM');
    const released = (await scenario.queue.readEvents('0', 100_000)).filter((e) => e.event === 'pending' && e.detail === 'released');
    const handedBack = released.reduce((n, e) => n + e.jobCount, 0);
    // A stream entry's id starts with Redis's time in ms.
    const handBackMs = Math.max(...released.map((e) => Number(e.id.split('-')[0]))) - stoppedAt;
    // The grace period plus a second, far below a lease (visibilityTimeout) running out.
    const handBackBound = o.graceMs + 1_000;
    return {
      jobs, completed: done, lost: jobs - done, handedBack, handBackMs, handBackBound,
      ok: done === jobs && handedBack === o.concurrency && handBackMs <= handBackBound,
    };
  } finally {
    await scenario.close();
  }
}
