import type { Job, RedisQueue } from '../../src/index.js';

const FINISHED = new Set(['completed', 'failed', 'cancelled']);

/**
 * Resolves to the job once it has finished (completed, failed or cancelled), polling its status.
 * Rejects after `timeoutMs` so a stuck example ends with a message instead of hanging.
 */
export async function waitForJob(queue: RedisQueue, id: string, timeoutMs = 30_000): Promise<Job> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const job = await queue.getJob(id);
    if (job === null) throw new Error(`job ${id} vanished from queue "${queue.name}"`);
    if (FINISHED.has(job.status)) return job;
    if (Date.now() > deadline) throw new Error(`job ${id} still ${job.status} after ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/** Prints a finished job's outcome; sets a failing exit code unless it completed. */
export function reportOutcome(job: Job): void {
  if (job.status === 'completed') {
    console.log(`job ${job.id} completed after ${job.attempts} attempt(s):`);
    console.log(JSON.stringify(job.result, null, 2));
  } else {
    console.error(`job ${job.id} ${job.status} after ${job.attempts} attempt(s): ${job.error ?? '(no error recorded)'}`);
    process.exitCode = 1;
  }
}
