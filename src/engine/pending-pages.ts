/**
 * Pages of pending jobs by rank at any depth, without holding Redis long: `pending-search.ts` finds
 * where the page starts in each source (a ready list per level, the fair groups' ready jobs, the
 * delayed jobs already due), then `readPendingEntries.lua` reads entries from there and this module
 * merges them newest first. See `lua/includes/ready-order.lua` for why the ready lists are in time
 * order.
 *
 * Offsets count list entries, and a tombstone (the place of a job cancelled or re-prioritised
 * while ready, until a claim passes it) is an entry too: a page skips tombstones and takes the
 * entries after its end instead, so a page is full while jobs follow, and paging on by `limit`
 * never misses a job of a queue at rest. A job may then show on two neighbouring pages, once for
 * each tombstone skipped. `total` counts the places the offsets run over (jobs and tombstones).
 */
import { locatePendingPage, type PendingSearchReads, type PendingSource, type SourceList } from './pending-search.js';

/** An entry of a source, newest first: a job id or a tombstone, its time in µs, whether to show it. */
export interface PendingEntry {
  entry: string;
  time: number;
  shown: boolean;
}

/** The reads a page takes, as the store runs them. */
export interface PendingReads extends Omit<PendingSearchReads, 'timeAt'> {
  read(now: string, wanted: readonly { source: string; start: number; count: number }[]): Promise<PendingEntry[][]>;
}

/** A page of pending job ids, newest first, and the number of places the offsets run over. */
export interface PendingPage {
  ids: string[];
  total: number;
}

/** `listPendingSources.lua`'s reply. */
export function parseSourceList(reply: readonly (string | number)[]): SourceList {
  const sources: SourceList['sources'] = [];
  for (let i = 2; i + 1 < reply.length; i += 2) sources.push({ source: String(reply[i]), entries: Number(reply[i + 1]) });
  return { now: String(reply[0]), levels: Number(reply[1]), sources };
}

/** `readPendingEntries.lua`'s reply: per source, a count then entry, time, shown flag triples. */
export function parseEntries(flat: readonly (string | number)[]): PendingEntry[][] {
  const bySource: PendingEntry[][] = [];
  for (let i = 0; i < flat.length;) {
    const n = Number(flat[i++]);
    const entries: PendingEntry[] = [];
    for (let j = 0; j < n; j++, i += 3) entries.push({ entry: String(flat[i]), time: Number(flat[i + 1]), shown: flat[i + 2] === 1 });
    bySource.push(entries);
  }
  return bySource;
}

/** Entries one read takes at most (over every source): each costs a record read and decode, 5 to 7 µs of Redis's time. */
const READ_BUDGET = 200;
/** Sources (levels, the grouped jobs, the due ones) one read call reads from. */
const SOURCES_PER_READ = 64;
/** Calls a page may take: a bound for a queue whose data moves under the search. */
const MAX_CALLS = 1_000;
/** Redis time one searching call may take, in µs: well within the 5 ms that no call may hold Redis for. */
const SEARCH_BUDGET_US = 1_500;
/** Entries read for a pivot's time: one that says nothing of its time takes the next older one's. */
const PIVOT_READ = 8;

/** The page of `limit` pending jobs from `offset`. */
export async function readPendingPage(reads: PendingReads, offset: number, limit: number, budgetUs = SEARCH_BUDGET_US): Promise<PendingPage> {
  const timeAt = async (now: string, source: string, rank: number) => (await reads.read(now, [{ source, start: rank, count: PIVOT_READ }]))[0]?.[0]?.time;
  const { now, total, sources } = await locatePendingPage({ ...reads, timeAt }, offset, budgetUs, MAX_CALLS);
  if (offset >= total) return { ids: [], total };
  return { ids: await mergeFrom(reads, now, sources, limit), total };
}

interface Cursor {
  source: string;
  order: number;
  next: number;
  entries: number;
  buffer: PendingEntry[];
}

/** Merges the sources newest first from their start ranks until `limit` jobs are shown or all are read. */
async function mergeFrom(reads: PendingReads, now: string, sources: readonly PendingSource[], limit: number): Promise<string[]> {
  const cursors: Cursor[] = sources.map((s, order) => ({ source: s.source, order, next: s.start, entries: s.entries, buffer: [] }));
  const chunk = Math.max(1, Math.min(limit + 16, Math.floor(READ_BUDGET / Math.max(1, cursors.length))));
  const ids: string[] = [];
  const seen = new Set<string>();
  for (let calls = 0; ids.length < limit;) {
    // A source whose read entries ran out may hold the next newest: read on before picking.
    const dry = cursors.filter((c) => c.buffer.length === 0 && c.next < c.entries);
    // A bounded number of sources per call: a queue with thousands of levels would otherwise
    // read them all in one call.
    for (let first = 0; first < dry.length; first += SOURCES_PER_READ) {
      if (++calls > MAX_CALLS) break;
      const batch = dry.slice(first, first + SOURCES_PER_READ);
      const read = await reads.read(now, batch.map((c) => ({ source: c.source, start: c.next, count: chunk })));
      batch.forEach((c, i) => {
        const got = read[i] ?? [];
        c.buffer.push(...got);
        // Fewer than asked: the source is shorter now than when the page was located.
        c.next = got.length < chunk ? c.entries : c.next + got.length;
      });
    }
    if (calls > MAX_CALLS) break;
    let best: Cursor | undefined;
    for (const c of cursors) {
      const head = c.buffer[0];
      if (head && (!best || head.time > best.buffer[0]!.time)) best = c;
    }
    if (!best) break;
    const { entry, shown } = best.buffer.shift()!;
    if (shown && !seen.has(entry)) {
      seen.add(entry);
      ids.push(entry);
    }
  }
  return ids;
}
