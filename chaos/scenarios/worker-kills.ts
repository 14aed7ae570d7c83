/**
 * Scenario 1: worker processes SIGKILLed under load, a new one started each time. No job may be
 * lost; duplicate runs stay within what the killed processes held; every orphaned job runs again
 * within its lease (visibilityTimeout) plus 2 s.
 */
import { eventually, openScenario, pushWork, sleep } from '../scenario.js';
import { startWorkerProcess, type WorkerProcess } from '../worker-processes.js';

export interface WorkerKillsOptions {
  redisUrl: string;
  jobs: number;
  processes: number;
  concurrency: number;
  killEveryMs: number;
  visibilityMs: number;
  /** How long each job's handler runs. */
  jobMs: number;
  /** Give up (and report what was lost) after this long. */
  timeoutMs: number;
}

export interface WorkerKillsFigures {
  jobs: number;
  completed: number;
  lost: number;
  kills: number;
  duplicateRuns: number;
  duplicateBound: number;
  orphaned: number;
  maxRecoveryMs: number;
  recoveryBound: number;
  seconds: number;
  ok: boolean;
}

export async function workerKills(o: WorkerKillsOptions): Promise<WorkerKillsFigures> {
  const scenario = await openScenario('kills', o.redisUrl);
  const env = { ...scenario.workerEnv, CONCURRENCY: String(o.concurrency), VISIBILITY_MS: String(o.visibilityMs), JOB_MS: String(o.jobMs) };
  const started = Date.now();
  try {
    const ids = await pushWork(scenario.queue, o.jobs);
    const workers: WorkerProcess[] = [];
    for (let i = 0; i < o.processes; i++) workers.push(await startWorkerProcess(env));
    const kills: { pid: number; at: number }[] = [];
    const completed = async () => (await scenario.queue.getStats()).completedJobs;
    const deadline = started + o.timeoutMs;
    while ((await completed()) < o.jobs && Date.now() < deadline) {
      await sleep(o.killEveryMs);
      if ((await completed()) >= o.jobs) break;
      const victim = workers.splice(Math.floor(Math.random() * workers.length), 1)[0]!;
      kills.push({ pid: victim.pid, at: Date.now() });
      await victim.kill('SIGKILL');
      workers.push(await startWorkerProcess(env));
    }
    await eventually(async () => (await completed()) >= o.jobs, Math.max(0, deadline - Date.now()));
    const done = await completed();
    await Promise.all(workers.map((w) => w.kill('SIGTERM')));

    const starts = scenario.ledger.startsByJob();
    let duplicateRuns = 0;
    for (const list of starts.values()) duplicateRuns += list.length - 1;
    // An orphan: a job a killed process had started, started again by another after the kill.
    let orphaned = 0;
    let maxRecoveryMs = 0;
    for (const kill of kills) {
      for (const list of starts.values()) {
        const mine = list.findIndex((s) => s.pid === kill.pid && s.at <= kill.at);
        const again = mine >= 0 ? list.slice(mine + 1).find((s) => s.pid !== kill.pid && s.at >= kill.at) : undefined;
        if (!again) continue;
        orphaned++;
        maxRecoveryMs = Math.max(maxRecoveryMs, again.at - kill.at);
      }
    }
    const figures = {
      jobs: ids.length, completed: done, lost: ids.length - done, kills: kills.length,
      duplicateRuns, duplicateBound: kills.length * o.concurrency, orphaned, maxRecoveryMs,
      recoveryBound: o.visibilityMs + 2_000, seconds: (Date.now() - started) / 1000,
    };
    return {
      ...figures,
      ok: figures.lost === 0 && duplicateRuns <= figures.duplicateBound && maxRecoveryMs <= figures.recoveryBound,
    };
  } finally {
    await scenario.close();
  }
}
