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
  /** From the SIGTERM to the last handed-back job starting again elsewhere. */
  maxRestartMs: number;
  restartBound: number;
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
    let handedBack = 0;
    let maxRestartMs = 0;
    for (const list of scenario.ledger.startsByJob().values()) {
      const again = list.find((s) => s.pid !== first.pid);
      if (list[0]!.pid !== first.pid || !again) continue;
      handedBack++;
      maxRestartMs = Math.max(maxRestartMs, again.at - stoppedAt);
    }
    const restartBound = o.graceMs + 2_000;
    return {
      jobs, completed: done, lost: jobs - done, handedBack, maxRestartMs, restartBound,
      ok: done === jobs && handedBack === o.concurrency && maxRestartMs <= restartBound,
    };
  } finally {
    await scenario.close();
  }
}
