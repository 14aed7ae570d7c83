/**
 * Pages of pending jobs by rank at any depth, without holding Redis long: `locatePendingPage.lua`
 * finds where the page starts in each source (a ready list per level, and the delayed jobs already
 * due), in as many short calls as it needs, then `readPendingEntries.lua` reads entries from there
 * and this module merges them newest first. See `lua/includes/ready-order.lua` for why the ready
 * lists are in time order.
 *
 * Offsets count list entries, and a tombstone (the place of a job cancelled or re-prioritised
 * while ready, until a claim passes it) is an entry too: a page skips tombstones and takes the
 * entries after its end instead, so a page is full while jobs follow, and paging on by `limit`
 * never misses a job of a queue at rest. A job may then show on two neighbouring pages, once for
 * each tombstone skipped. `total` counts the places the offsets run over (jobs and tombstones).
 */

/** One source's page start: `source` is a level or `due`; `entries` its length then. */
export interface PendingSource {
  source: string;
  entries: number;
  start: number;
}

/** Where the page starts (found) or the brackets to hand back (more). */
export type LocateReply =
  | { kind: 'found'; now: string; total: number; sources: PendingSource[] }
  | { kind: 'more'; now: string; state: (string | number)[] };

/** An entry of a source, newest first: a job id or a tombstone, its time in µs, whether to show it. */
export interface PendingEntry {
  entry: string;
  time: number;
  shown: boolean;
}

/** The two reads a page takes, as the store runs them. */
export interface PendingReads {
  /** `state`: what the previous call handed back (none on the first). */
  locate(now: string, offset: number, budgetUs: number, state: readonly (string | number)[]): Promise<LocateReply>;
  read(now: string, wanted: readonly { source: string; start: number; count: number }[]): Promise<PendingEntry[][]>;
}

/** A page of pending job ids, newest first, and the number of places the offsets run over. */
export interface PendingPage {
  ids: string[];
  total: number;
}

/** `locatePendingPage.lua`'s reply. */
export function parseLocateReply(reply: readonly (string | number)[]): LocateReply {
  const [kind, at] = reply as [string, string];
  if (kind === 'more') return { kind, now: String(at), state: reply.slice(2) };
  const sources: PendingSource[] = [];
  for (let i = 3; i + 2 < reply.length; i += 3) {
    sources.push({ source: String(reply[i]), entries: Number(reply[i + 1]), start: Number(reply[i + 2]) });
  }
  return { kind: 'found', now: String(at), total: Number(reply[2]), sources };
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

/** Entries one read takes at most (over every source): about a millisecond of Redis's time. */
const READ_BUDGET = 2_000;
/** Sources (levels, the grouped jobs, the due ones) one read call reads from. */
const SOURCES_PER_READ = 64;
/** Calls a page may take: a bound for a queue whose data moves under the search. */
const MAX_CALLS = 1_000;
/** Redis time one locating call may take, in µs: well within the 5 ms that no call may hold Redis for. */
const LOCATE_BUDGET_US = 1_500;

/** The page of `limit` pending jobs from `offset`. */
export async function readPendingPage(reads: PendingReads, offset: number, limit: number, budgetUs = LOCATE_BUDGET_US): Promise<PendingPage> {
  let now = '';
  let state: readonly (string | number)[] = [];
  let located: Extract<LocateReply, { kind: 'found' }> | undefined;
  for (let call = 0; !located; call++) {
    if (call >= MAX_CALLS) {
      // The handed-back state holds 5 values per source: a level, the grouped jobs or the due ones.
      const sources = state.length / 5;
      throw new Error(`listJobs: offset ${offset} of the pending jobs was not found in ${MAX_CALLS} calls: they moved too much meanwhile${sources > 100 ? `, or they are spread over too many priority levels (${sources} lists) for a search by rank (see the README's Queue section)` : ''}`);
    }
    const reply = await reads.locate(now, offset, budgetUs, state);
    now = reply.now;
    if (reply.kind === 'found') located = reply;
    else state = reply.state;
  }
  const { total, sources } = located;
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
