/** Seeding finished jobs for the operation scripts' tests, and calling a script with a fixed request id. */
import { SCRIPT_KEYS, functionName, type ScriptName } from '../../../src/engine/library.js';
import { keysFor } from '../../../src/engine/keys.js';
import { newJob, type Harness } from './harness.js';

/**
 * Adds jobs `<label>0000…` of `type` and finishes them all as `status` in one call; returns their ids.
 * They are claimed by priority: give them a higher one than any pending job the test has.
 */
export async function finishedJobs(h: Harness, label: string, n: number, status: 'completed' | 'failed' | 'cancelled', type = 'test', priority = 0): Promise<string[]> {
  const ids = Array.from({ length: n }, (_unused, i) => `${label}${String(i).padStart(4, '0')}`);
  await h.store.addJobs(ids.map((id) => newJob(id, { type, maxAttempts: 1, priority })));
  if (status === 'cancelled') {
    for (const id of ids) await h.store.cancel(id);
    return ids;
  }
  const { jobs } = await h.store.claim(n, 30_000);
  await h.store.finish(jobs.map((job) => ({ id: job.id, token: job.token, kind: status, value: status === 'failed' ? 'boom' : '', retryDelay: 0 })));
  return ids;
}

/** Runs a script as the store would, with every argument given (a request id of the test's choosing). */
export async function fcall(h: Harness, name: ScriptName, args: (string | number)[]): Promise<unknown> {
  const keys = keysFor(h.keys, SCRIPT_KEYS[name]);
  return h.raw.call('FCALL', functionName(name), keys.length, ...keys, ...args);
}
