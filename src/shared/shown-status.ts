/** The status the console and the CLI show for a job, in the same words as the stats and tabs. */
import type { Job, JobStatus } from '../engine/types.js';

/** A status as shown: the engine's six, plus `delayed` for a pending job not yet due. */
export type ShownStatus = JobStatus | 'delayed';

/**
 * `delayed` for a pending job whose time has not come, else the stored status. The engine stores a
 * delayed job as `pending` with a future `runAt` but counts it as delayed in the stats: shown as
 * plain `pending`, it would disagree with the queue row and the tabs.
 */
export function shownStatus(job: Pick<Job, 'status' | 'runAt'>, now: number): ShownStatus {
  return job.status === 'pending' && job.runAt !== undefined && job.runAt.getTime() > now ? 'delayed' : job.status;
}
