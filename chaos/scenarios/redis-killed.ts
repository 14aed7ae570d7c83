/**
 * Scenario 5: Redis SIGKILLed under load and started again 3 s later on the same data. With
 * `appendfsync always` no acknowledged job may be lost; with `everysec` the loss is measured.
 * Workers and producers must resume by themselves, without a restart.
 */
import { RedisServer } from '../redis-server.js';
import { eventually, openScenario, sleep } from '../scenario.js';
import { startWorkerProcess } from '../worker-processes.js';

export interface RedisKilledOptions {
  appendfsync: 'always' | 'everysec';
  /** Pushes per second while the scenario runs. */
  rate: number;
  /** Load before the kill and after the restart, each. */
  loadMs: number;
  downMs: number;
}

export interface RedisKilledFigures {
  appendfsync: string;
  acknowledged: number;
  lost: number;
  completed: number;
  /** From the restart to the first acknowledged push and the first completion after it. */
  producerResumeMs: number;
  workerResumeMs: number;
  ok: boolean;
}

export async function redisKilled(o: RedisKilledOptions): Promise<RedisKilledFigures> {
  const redis = await RedisServer.start({ appendfsync: o.appendfsync });
  const scenario = await openScenario('killed', redis.url);
  const env = { ...scenario.workerEnv, CONCURRENCY: '8', VISIBILITY_MS: '5000' };
  const workers = [await startWorkerProcess(env), await startWorkerProcess(env)];
  const acknowledged: { id: string; at: number }[] = [];
  let producing = true;
  const producer = (async () => {
    while (producing) {
      const sent = Date.now();
      try {
        const job = await scenario.queue.push({ type: 'work', payload: {}, maxAttempts: 1_000 });
        acknowledged.push({ id: job.id, at: Date.now() });
      } catch {
        // Redis is away: not acknowledged, so not owed. Try again shortly.
      }
      await sleep(Math.max(0, 1000 / o.rate - (Date.now() - sent)));
    }
  })();
  try {
    await sleep(o.loadMs);
    await redis.kill('SIGKILL');
    await sleep(o.downMs);
    await redis.spawn();
    const restartedAt = Date.now();
    await sleep(o.loadMs);
    producing = false;
    await producer;
    const producerResumeMs = (acknowledged.find((a) => a.at > restartedAt)?.at ?? Number.NaN) - restartedAt;
    let missing: string[] = [];
    await eventually(async () => {
      const jobs = await Promise.all(acknowledged.map((a) => scenario.queue.getJobStatus(a.id)));
      missing = acknowledged.filter((_a, i) => jobs[i] === null).map((a) => a.id);
      return jobs.every((status) => status === 'completed' || status === null);
    }, 30_000);
    const done = scenario.ledger.entries().filter((e) => e.what === 'done');
    const workerResumeMs = (done.find((e) => e.at > restartedAt)?.at ?? Number.NaN) - restartedAt;
    const completed = (await scenario.queue.getStats()).completedJobs;
    return {
      appendfsync: o.appendfsync, acknowledged: acknowledged.length, lost: missing.length, completed,
      producerResumeMs, workerResumeMs,
      ok: (o.appendfsync === 'everysec' || missing.length === 0) && producerResumeMs <= 10_000 && workerResumeMs <= 10_000,
    };
  } finally {
    producing = false;
    await Promise.all(workers.map((w) => w.kill('SIGTERM')));
    await scenario.close();
    await redis.close();
  }
}
