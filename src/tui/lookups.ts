/** Engine reads the data source makes on demand: find a job by id, search a tab, list workers and schedules. */
import type { RedisQueue } from '../engine/queue.js';
import type { Job, WorkerInfo } from '../engine/types.js';
import type { ScheduleRow, StatusTab } from './store.js';
import { parseSearch, searchMatches } from './search-query.js';
import { presentSchedule } from '../shared/present.js';

/** The job with that id in any of `queues`, or null. */
export async function findJob(queues: Iterable<RedisQueue>, id: string): Promise<Job | null> {
  const found = await Promise.all([...queues].map((queue) => queue.getJob(id)));
  return found.find((job) => job !== null) ?? null;
}

/**
 * Jobs of one tab whose id, type, payload or error contains `query` (any case), and whose time in the
 * tab is within its `age>D` / `age<D` bounds (search-query.ts), newest first; looks
 * at `limit` jobs at most. Each job is `present`ed first and matched as shown, so a search cannot
 * find a job by a masked secret (`/top-pw` must not reveal which job's password is `TOP-PW`); the
 * matches come back as shown.
 */
export async function searchTab(
  queue: RedisQueue, tab: StatusTab, query: string, limit: number, present: (job: Job) => Job,
): Promise<{ matches: Job[]; scanned: number }> {
  const search = parseSearch(query);
  const now = Date.now();
  const matches: Job[] = [];
  const batch = 200;
  let scanned = 0;
  // Offsets count list places, some of them stale: a page that tops up past them can repeat a job
  // of the next page (job-lists.ts), which is matched once.
  const seen = new Set<string>();
  while (scanned < limit) {
    const jobs = await queue.listJobs(tab, { offset: scanned, limit: batch });
    scanned += jobs.length;
    for (const job of jobs.map(present)) {
      if (seen.has(job.id)) continue;
      seen.add(job.id);
      const text = `${job.id}\n${job.type}\n${JSON.stringify(job.payload)}\n${job.error ?? ''}`;
      if (searchMatches(search, text, job.enteredAt.getTime(), now)) matches.push(job);
    }
    if (jobs.length < batch) break;
  }
  return { matches, scanned };
}

/** The workers serving `queues`, from the engine's heartbeats: every host, this one included. */
export async function listWorkers(queues: readonly RedisQueue[]): Promise<WorkerInfo[]> {
  // Each queue keeps its own heartbeats and a worker serves one queue, so the lists do not overlap.
  const lists = await Promise.all(queues.map((queue) => queue.getWorkers()));
  return lists.flat();
}

/** The schedules of `queues`, by queue then name, their jobs shown as every output shows them. */
export async function listSchedules(queues: readonly RedisQueue[], redact: readonly string[]): Promise<ScheduleRow[]> {
  const lists = await Promise.all(queues.map(async (queue) =>
    (await queue.listSchedules()).map((schedule) => ({ ...presentSchedule(schedule, redact), queue: queue.name }))));
  return lists.flat();
}
