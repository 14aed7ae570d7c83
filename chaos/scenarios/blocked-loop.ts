/**
 * Scenario 3: a handler blocks its process's event loop for twice the lease, so no renewal runs.
 * Another worker recovers the job and completes it; the blocked one's late completion must be
 * rejected, so the job is recorded completed once, with the second worker's result.
 */
import { eventually, openScenario, pushWork } from '../scenario.js';
import { startWorkerProcess } from '../worker-processes.js';

export interface BlockedLoopOptions {
  redisUrl: string;
  visibilityMs: number;
}

export interface BlockedLoopFigures {
  handlerRuns: number;
  recordedCompletions: number;
  resultFrom: 'second worker' | 'blocked worker' | 'none';
  ok: boolean;
}

export async function blockedLoop(o: BlockedLoopOptions): Promise<BlockedLoopFigures> {
  const scenario = await openScenario('blocked', o.redisUrl);
  const env = { ...scenario.workerEnv, CONCURRENCY: '1', VISIBILITY_MS: String(o.visibilityMs) };
  try {
    const [id] = await pushWork(scenario.queue, 1);
    const blocked = await startWorkerProcess({ ...env, BLOCK_MS: String(2 * o.visibilityMs) });
    await eventually(() => scenario.ledger.entries().length > 0, 10_000);
    const rescuer = await startWorkerProcess(env);
    // Both handlers finish: the rescuer's run, then the blocked one once its loop is free again.
    await eventually(() => scenario.ledger.entries().filter((e) => e.what === 'done').length >= 2, 6 * o.visibilityMs + 10_000);
    await eventually(async () => (await scenario.queue.getJobStatus(id!)) === 'completed', 5_000);
    // Give the blocked worker's late outcome time to reach Redis (and be refused) before counting.
    await Promise.all([blocked.kill('SIGTERM'), rescuer.kill('SIGTERM')]);
    const events = await scenario.queue.readEvents('0', 10_000);
    const recordedCompletions = events.filter((e) => e.event === 'completed' && e.jobIds.includes(id!)).length;
    const job = await scenario.queue.getJob(id!);
    const pid = (job?.result as { pid?: number } | undefined)?.pid;
    const resultFrom = pid === rescuer.pid ? 'second worker' : pid === blocked.pid ? 'blocked worker' : 'none';
    const handlerRuns = scenario.ledger.entries().filter((e) => e.what === 'start').length;
    return { handlerRuns, recordedCompletions, resultFrom, ok: recordedCompletions === 1 && resultFrom === 'second worker' };
  } finally {
    await scenario.close();
  }
}
