/**
 * Pages of a queue's jobs by status (listJobs, pageJobs): the arguments checked, each shard's page
 * read, and the shards' pages merged into the queue's.
 */
import { decodeJob } from './codec.js';
import { DEFAULTS } from './defaults.js';
import { ValidationError } from './errors.js';
import { checkedWhereUsed, checkOptions, optionsSchema } from './options.js';
import { readRankedPage } from './rank-search.js';
import { shardGroup } from './sharded-pages.js';
import { mergeRunning } from './sharded-reads.js';
import type { FinishedStatus, QueueStore } from './store.js';
import { JOB_STATUSES, type Job, type JobStatus, type QueueStats } from './types.js';

/** Which jobs `listJobs` returns: a status, or `delayed` for pending jobs that wait for their time. */
export type ListableStatus = JobStatus | 'delayed';

/** A page of `listJobs`. */
export interface ListOptions {
  offset?: number;
  limit?: number;
}

const listOptions = optionsSchema({ offset: checkedWhereUsed, limit: checkedWhereUsed } satisfies Record<keyof ListOptions, unknown>);

/** A page of `pageJobs`: the jobs, and how many places its offsets run over. */
export interface JobPage {
  jobs: Job[];
  total: number;
}

/** How many delayed or retrying jobs the stats count. */
function countOf(stats: QueueStats, status: 'delayed' | 'retrying'): number {
  return status === 'delayed' ? stats.delayedJobs : stats.retryingJobs;
}

/** The jobs of `ids` in one shard (those gone since are left out). */
async function jobsByIds(queue: string, store: QueueStore, ids: readonly string[]): Promise<Job[]> {
  const stored = await store.jobs(ids);
  const jobs = stored.map(({ fields, details }, i) => decodeJob(queue, ids[i]!, fields, details));
  return jobs.filter((job): job is Job => job !== null);
}

/**
 * Entries a page of finished jobs reads at most past its offset (besides ten per job asked for):
 * stale entries, left by retried and removed jobs until trimming reaches them, are skipped, so a
 * page comes back short only at the end of the list or after a longer run of them.
 */
const FINISHED_READ_CAP = 10_000;

/**
 * A page of one shard's finished jobs of `status`, newest first. Offsets count list entries, so a
 * page that skips stale ones tops up from the entries after its end (reads doubling in size) and a
 * job may show on two neighbouring pages, as pending pages do (pending-pages.ts). Entries finished
 * between two reads shift the later read toward the head: a job read twice is listed once.
 */
async function finishedJobs(queue: string, store: QueueStore, status: FinishedStatus, offset: number, limit: number): Promise<Job[]> {
  const jobs: Job[] = [];
  const listed = new Set<string>();
  const cap = offset + Math.max(FINISHED_READ_CAP, 10 * limit);
  let at = offset;
  let count = limit;
  while (jobs.length < limit && at < cap) {
    const entries = await store.finishedEntries(status, at, count);
    const stored = await store.jobs(entries.map((entry) => entry.id));
    stored.forEach(({ fields, details }, i) => {
      const entry = entries[i]!;
      if (listed.has(entry.id) || fields?.s !== status || fields.e !== entry.finishedUs) return;
      const job = decodeJob(queue, entry.id, fields, details);
      if (job) jobs.push(job);
      listed.add(entry.id);
    });
    if (entries.length < count) break;
    at += entries.length;
    count = Math.min(2 * count, 5_000);
  }
  return jobs.slice(0, limit);
}

/** A page of one shard's jobs in one status, in listJobs' order, with its total when `counted`. */
async function pageOfShard(queue: string, store: QueueStore, status: ListableStatus, offset: number, limit: number, counted: boolean): Promise<JobPage> {
  if (status === 'processing') {
    const running = await jobsByIds(queue, store, await store.activeIds());
    running.sort((a, b) => b.enteredAt.getTime() - a.enteredAt.getTime());
    return { jobs: running.slice(offset, offset + limit), total: running.length };
  }
  if (status === 'completed' || status === 'failed' || status === 'cancelled') {
    const [jobs, total] = await Promise.all([finishedJobs(queue, store, status, offset, limit), counted ? store.finishedLength(status) : 0]);
    return { jobs, total };
  }
  let total = 0;
  let ids: string[];
  if (status === 'pending') ({ ids, total } = await store.pendingPage(offset, limit));
  else {
    ids = status === 'delayed' ? await store.delayedIds(offset, limit) : await store.retryingIds(offset, limit);
    if (counted) total = countOf((await store.stats()).stats, status);
  }
  const jobs = (await jobsByIds(queue, store, ids)).filter((job) => status === 'delayed' || job.status === status);
  return { jobs, total };
}

/** A page of a queue's jobs over its shards (`total` only when `counted`); checks its arguments first. */
export async function pageOfJobs(queue: string, shards: readonly QueueStore[], status: ListableStatus, options: ListOptions, counted: boolean): Promise<JobPage> {
  checkOptions('listJobs', listOptions, options);
  const { offset = 0, limit = DEFAULTS.listLimit } = options;
  if (status !== 'delayed' && !JOB_STATUSES.includes(status)) {
    throw new ValidationError('listJobs', `status must be one of ${JOB_STATUSES.join(', ')} or delayed, got ${JSON.stringify(status)}`);
  }
  if (!Number.isInteger(offset) || offset < 0) throw new ValidationError('listJobs', `offset must be a non-negative integer, got ${offset}`);
  if (!Number.isInteger(limit) || limit < 1 || limit > 10_000) throw new ValidationError('listJobs', `limit must be an integer from 1 to 10000, got ${limit}`);
  if (shards.length === 1) return pageOfShard(queue, shards[0]!, status, offset, limit, counted);
  if (status === 'processing') {
    // Running jobs are few (the workers' concurrency): each shard's are read whole and merged.
    const pages = await Promise.all(shards.map((shard) => pageOfShard(queue, shard, status, 0, offset + limit, counted)));
    return { jobs: mergeRunning(pages.map((page) => page.jobs), offset, limit), total: pages.reduce((sum, page) => sum + page.total, 0) };
  }
  // Any other listing by rank over the shards: O(log n) reads a shard to find the page's start.
  const { entries, total } = await readRankedPage(shards.map((shard) => shardGroup(shard, status)), offset, limit);
  const byShard = new Map<number, string[]>();
  for (const { group, entry } of entries) {
    const ids = byShard.get(group) ?? [];
    ids.push(entry);
    byShard.set(group, ids);
  }
  const found = new Map<string, Job>();
  await Promise.all([...byShard].map(async ([shard, ids]) => {
    for (const job of await jobsByIds(queue, shards[shard]!, ids)) found.set(job.id, job);
  }));
  const jobs = entries.map(({ entry }) => found.get(entry)).filter((job): job is Job => job !== undefined && (status === 'delayed' || job.status === status));
  return { jobs, total };
}
