/** Engine reads the data source makes on demand: find a job by id, search a tab, list workers. */
import { hostname } from 'node:os';
import type { RedisQueue } from '../engine/queue.js';
import type { Job } from '../engine/types.js';
import type { HostView, WorkerInfo } from './host-view.js';
import type { StatusTab } from './store.js';

type WithWorkers = RedisQueue & { getWorkers?: () => Promise<WorkerInfo[]> };

/** The job with that id in any of `queues`, or null. */
export async function findJob(queues: Iterable<RedisQueue>, id: string): Promise<Job | null> {
  const found = await Promise.all([...queues].map((queue) => queue.getJob(id)));
  return found.find((job) => job !== null) ?? null;
}

/** Jobs of one tab whose id, type, payload or error contains `query` (any case), newest first; looks at `limit` jobs at most. */
export async function searchTab(queue: RedisQueue, tab: StatusTab, query: string, limit: number): Promise<{ matches: Job[]; scanned: number }> {
  const needle = query.toLowerCase();
  const matches: Job[] = [];
  const batch = 200;
  let scanned = 0;
  while (scanned < limit) {
    const jobs = await queue.listJobs(tab, { offset: scanned, limit: batch });
    scanned += jobs.length;
    for (const job of jobs) {
      const text = `${job.id}\n${job.type}\n${JSON.stringify(job.payload)}\n${job.error ?? ''}`.toLowerCase();
      if (text.includes(needle)) matches.push(job);
    }
    if (jobs.length < batch) break;
  }
  return { matches, scanned };
}

/** Workers from the engine's heartbeats when every queue offers them, else this host's own pool. */
export async function listWorkers(queues: readonly RedisQueue[], view: HostView): Promise<{ workers: WorkerInfo[]; fromHeartbeats: boolean }> {
  const withWorkers = queues as readonly WithWorkers[];
  if (withWorkers.length > 0 && withWorkers.every((queue) => typeof queue.getWorkers === 'function')) {
    const lists = await Promise.all(withWorkers.map((queue) => queue.getWorkers!()));
    return { workers: [...new Map(lists.flat().map((worker) => [worker.id, worker])).values()], fromHeartbeats: true };
  }
  const now = new Date();
  const host = hostname();
  const workers = view.pool().map((slot) => ({
    id: `${host}:${process.pid}:${slot.queue}`, host, pid: process.pid, queue: slot.queue, busy: slot.busy,
    concurrency: slot.concurrency, lastFetchAt: now, lastSeenAt: now, healthy: true,
  }));
  return { workers, fromHeartbeats: false };
}
