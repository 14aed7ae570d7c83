/**
 * Scenario 7: Redis at maxmemory with `noeviction`. Dispatch must reject with a typed error that
 * says Redis is full and store nothing; a worker must still finish the job it holds; and once
 * memory is freed, everything works again.
 */
import { Redis } from 'ioredis';
import { RedisFullError, RedisWorker } from '../../src/index.js';
import { RedisServer } from '../redis-server.js';
import { eventually, openScenario } from '../scenario.js';

export interface RedisFullFigures {
  rejectedAs: string;
  storedWhileFull: number;
  heldJobFinished: boolean;
  dispatchAfterFreeing: boolean;
  ok: boolean;
}

export async function redisFull(): Promise<RedisFullFigures> {
  const redis = await RedisServer.start();
  const scenario = await openScenario('full', redis.url);
  const admin = new Redis(redis.url);
  const { queue } = scenario;
  let release!: () => void;
  const held = new Promise<void>((resolve) => (release = resolve));
  const worker = new RedisWorker(queue, { numWorkers: 1, pollTime: 100 });
  worker.registerHandler('work', async () => {
    await held;
    return { success: true, data: { note: 'finished while Redis was full' } };
  });
  try {
    void worker.start();
    const heldJob = await queue.push({ type: 'work' });
    await eventually(async () => (await queue.getJobStatus(heldJob.id)) === 'processing', 10_000);
    // Fill Redis up to a limit just above what it holds now.
    const used = Number(/used_memory:(\d+)/.exec(await admin.info('memory'))![1]);
    await admin.config('SET', 'maxmemory', String(used + 2 * 1024 * 1024));
    await admin.config('SET', 'maxmemory-policy', 'noeviction');
    for (let i = 0; ; i++) {
      try {
        await admin.set(`filler:${i}`, 'x'.repeat(64 * 1024));
      } catch {
        break; // OOM: full
      }
    }
    const before = (await queue.getStats()).pendingJobs;
    let rejectedAs = 'nothing';
    try {
      await queue.pushBulk([{ type: 'work' }, { type: 'work' }]);
    } catch (err) {
      rejectedAs = err instanceof RedisFullError ? `RedisFullError: ${err.message}` : String(err);
    }
    const storedWhileFull = (await queue.getStats()).pendingJobs - before;
    release();
    const heldJobFinished = await eventually(async () => (await queue.getJobStatus(heldJob.id)) === 'completed', 10_000);
    await admin.flushdb('ASYNC').catch(() => undefined); // only this private Redis: frees the filler
    await admin.config('SET', 'maxmemory', '0');
    let dispatchAfterFreeing = false;
    try {
      await queue.push({ type: 'work' });
      dispatchAfterFreeing = true;
    } catch {
      dispatchAfterFreeing = false;
    }
    return {
      rejectedAs, storedWhileFull, heldJobFinished, dispatchAfterFreeing,
      ok: rejectedAs.startsWith('RedisFullError') && storedWhileFull === 0 && heldJobFinished && dispatchAfterFreeing,
    };
  } finally {
    release();
    await worker.stop({ timeout: 1_000 });
    admin.disconnect();
    await scenario.close();
    await redis.close();
  }
}
