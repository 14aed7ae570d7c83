/**
 * Pages of pending jobs by rank at any depth, without holding Redis long: the pending sources of a
 * queue (a ready list per level, the fair groups' ready jobs, the delayed jobs already due) as a
 * group for `rank-search.ts`, over three read-only scripts: `listPendingSources.lua`,
 * `countPendingNewer.lua` and `readPendingEntries.lua`. See `lua/includes/ready-order.lua` for why
 * the ready lists are in time order; the key is the time a job became ready, newest first.
 *
 * A tombstone (the place of a job cancelled or re-prioritised while ready, until a claim passes
 * it) is an entry too: offsets count it and a page skips it. A job may then show on two
 * neighbouring pages, once for each tombstone skipped. `total` counts the places the offsets run
 * over (jobs and tombstones).
 */
import { readRankedPage, type Bracket, type RankedEntry, type RankedGroup, type WantedRead } from './rank-search.js';

/** `listPendingSources.lua`'s reply: Redis's time of the search, and some sources. */
export interface SourceList {
  now: string;
  sources: { source: string; entries: number }[];
  /** Whether the slice reached the last level (the grouped and due jobs come with it). */
  last: boolean;
}

/** The scripts a page of pending jobs reads with, as the store runs them. */
export interface PendingReads {
  /**
   * `now`: '' on the first call (Redis's clock is read), then the time the first call gave;
   * `after`: the last level of the slice before ('' for the first).
   */
  listSources(now: string, after: string, count: number): Promise<SourceList>;
  countNewer(now: string, budgetUs: number, pivot: number, orEqual: boolean, brackets: readonly Bracket[]): Promise<number[]>;
  read(now: string, wanted: readonly WantedRead[]): Promise<RankedEntry[][]>;
}

/** A page of pending job ids, newest first, and the number of places the offsets run over. */
export interface PendingPage {
  ids: string[];
  total: number;
}

/** `listPendingSources.lua`'s reply. */
export function parseSourceList(reply: readonly (string | number)[]): SourceList {
  const sources: SourceList['sources'] = [];
  for (let i = 1; i + 1 < reply.length; i += 2) sources.push({ source: String(reply[i]), entries: Number(reply[i + 1]) });
  return { now: String(reply[0]), sources, last: sources.at(-1)?.source === 'due' };
}

/** `readPendingEntries.lua`'s reply: per source, a count then entry, time, shown flag triples. */
export function parseEntries(flat: readonly (string | number)[]): RankedEntry[][] {
  const bySource: RankedEntry[][] = [];
  for (let i = 0; i < flat.length;) {
    const n = Number(flat[i++]);
    const entries: RankedEntry[] = [];
    for (let j = 0; j < n; j++, i += 3) entries.push({ entry: String(flat[i]), key: Number(flat[i + 1]), shown: flat[i + 2] === 1 });
    bySource.push(entries);
  }
  return bySource;
}

/** Levels one listing call reads (a ZREVRANGE slice and an LLEN each). */
const LEVELS_PER_LIST = 200;
/** Redis time one counting call may take, in µs: well within the 5 ms that no call may hold Redis for. */
const SEARCH_BUDGET_US = 1_500;

/**
 * One queue's (or shard's) pending sources as a group of a ranked page. Every call of one page
 * reads the due delayed jobs as of the time its first call read.
 */
export function pendingGroup(reads: PendingReads, budgetUs = SEARCH_BUDGET_US): RankedGroup {
  let now = '';
  return {
    async sources() {
      const all: { source: string; entries: number }[] = [];
      for (let after = ''; ;) {
        const list = await reads.listSources(now, after, LEVELS_PER_LIST);
        now = list.now;
        all.push(...list.sources);
        if (list.last) return all;
        after = list.sources.at(-1)!.source;
      }
    },
    count: (pivot, orEqual, brackets) => reads.countNewer(now, budgetUs, pivot, orEqual, brackets),
    read: (wanted) => reads.read(now, wanted),
  };
}

/** The page of `limit` pending jobs from `offset`. */
export async function readPendingPage(reads: PendingReads, offset: number, limit: number, budgetUs?: number): Promise<PendingPage> {
  const { entries, total } = await readRankedPage([pendingGroup(reads, budgetUs)], offset, limit);
  return { ids: entries.map((e) => e.entry), total };
}
