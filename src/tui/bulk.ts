/**
 * Bulk actions the data source runs for the console: on a whole marked tab through the engine's
 * chunked operations (retryJobs, clean, cancelJobs); on marked ids one job at a time.
 * Progress is reported as it goes; jobs that changed state meanwhile are skipped and counted.
 */
import { InvalidJobStateError, JobNotFoundError } from '../engine/errors.js';
import type { RedisQueue } from '../engine/queue.js';
import { BULK_TABS, type BulkAction, type Marks } from './marks.js';

/** What a bulk action did. */
export interface BulkOutcome {
  done: number;
  /** Jobs no longer in a state the action applies to (they moved on meanwhile). */
  skipped: number;
}

/** Called as a bulk action goes: jobs handled so far, out of `total` (an estimate for a whole tab). */
export type BulkListener = (done: number, total: number) => void;

/** How often per-id actions report progress. */
const REPORT_EVERY = 25;

/** Jobs a whole processing tab is cancelled from: running jobs are as many as the workers' slots. */
const PROCESSING_READ = 10_000;

/** Runs `action` on the marked jobs of `queue`. */
export async function runBulk(queue: RedisQueue, action: BulkAction, marks: Marks, progress: BulkListener): Promise<BulkOutcome> {
  if (!BULK_TABS[action].includes(marks.tab)) throw new Error(`${action} applies to ${BULK_TABS[action].join(', ')} jobs, not ${marks.tab}`);
  if (!marks.all) return eachJob(queue, action, marks.ids, progress);
  const onProgress = ({ done, total }: { done: number; total: number }) => progress(done, total);
  if (action === 'retry') return { done: await queue.retryJobs(marks.tab as 'failed' | 'cancelled', { onProgress }), skipped: 0 };
  if (action === 'delete') return { done: await queue.clean(marks.tab as 'completed' | 'failed' | 'cancelled', { onProgress }), skipped: 0 };
  if (marks.tab !== 'processing') return { done: await queue.cancelJobs(marks.tab as 'pending' | 'delayed' | 'retrying', { onProgress }), skipped: 0 };
  const running = await queue.listJobs('processing', { limit: PROCESSING_READ });
  return eachJob(queue, 'cancel', running.map((job) => job.id), progress);
}

/** One engine call per marked id. */
async function eachJob(queue: RedisQueue, action: BulkAction, ids: readonly string[], progress: BulkListener): Promise<BulkOutcome> {
  const run = { retry: (id: string) => queue.retryJob(id), cancel: (id: string) => queue.cancelJob(id), delete: (id: string) => queue.removeJob(id) }[action];
  let done = 0;
  let skipped = 0;
  for (const [i, id] of ids.entries()) {
    try {
      await run(id);
      done++;
    } catch (err) {
      // A job that finished, ran or vanished meanwhile is skipped; Redis trouble ends the batch.
      if (!(err instanceof InvalidJobStateError) && !(err instanceof JobNotFoundError)) throw err;
      skipped++;
    }
    if ((i + 1) % REPORT_EVERY === 0 || i + 1 === ids.length) progress(i + 1, ids.length);
  }
  return { done, skipped };
}
