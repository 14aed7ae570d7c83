/** What addJobs.lua takes and answers about unique jobs (see `lua/includes/unique.lua`). */
import { parseDetails, parseRecord, type EncodedJob } from './codec.js';
import type { StoredJob } from './store.js';

/**
 * The unique jobs of an addJobs call, as its last ARGV values: `(1-based index, key, uniqueFor ms
 * or 0)` per unique job, then their number (0 for a call without any).
 */
export function uniqueJobsArgs(jobs: readonly EncodedJob[]): (string | number)[] {
  const args: (string | number)[] = [];
  jobs.forEach((job, i) => {
    if (job.uniqueKey !== undefined) args.push(i + 1, job.uniqueKey, job.uniqueFor ?? 0);
  });
  args.push(args.length / 3);
  return args;
}

/**
 * The stored job a unique job of an addJobs call resolved to: its fields and details, or only its
 * id when it is another job of the same call.
 */
export interface UniqueHolder {
  id: string;
  stored?: StoredJob;
}

/** addJobs' duplicates, flat `index, holder id, record or '', details or ''`, by 0-based job index. */
export function parseDuplicates(flat: string[] | undefined): Map<number, UniqueHolder> {
  const duplicates = new Map<number, UniqueHolder>();
  for (let i = 0; flat && i + 3 < flat.length; i += 4) {
    const [index, id, record, details] = [Number(flat[i]), flat[i + 1]!, flat[i + 2]!, flat[i + 3]!];
    duplicates.set(index - 1, record === '' ? { id } : { id, stored: { fields: parseRecord(record), details: parseDetails(details) } });
  }
  return duplicates;
}
