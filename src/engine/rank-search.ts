/**
 * A page by rank over many ordered sources at once, at any depth, in short calls. A listing whose
 * entries sit in several sources (the pending jobs' ready list per level, the fair groups' ready
 * jobs and the due delayed jobs; and each shard of a sharded queue) is their merge by a key that
 * never grows along each source (a time, newest first). No source can be read up to `offset`:
 * the search finds the rank in every source where the page starts, then the merge reads from
 * there.
 *
 * Each round of the search takes a pivot in a source drawn at random, at the place the page's
 * start has in the ranks still in question (sources alike in time meet the start at once), counts
 * the entries keyed above it in every source whose bracket is open (and, when the page may start
 * at that key, those not below it), and narrows every bracket: a few rounds, each O(open sources
 * × log n) reads. Ties go by source order (the groups in order, then each group's sources), then
 * by rank. The brackets are held here, so a call costs the work asked of it, not the number of
 * sources; thousands of sources take more calls. Under live change between the calls the page is
 * as of a moment in between.
 *
 * Offsets count entries, whether shown or not (a tombstone, a stale entry): a page skips those and
 * takes the entries after its end instead, so a page is full while entries follow, and paging on
 * by `limit` never misses an entry of a listing at rest.
 */

/** An entry of a source, in listing order: a job id or a placeholder, its key, whether to show it. */
export interface RankedEntry {
  entry: string;
  key: number;
  shown: boolean;
}

/** The ranks of a source a count is known to lie within. */
export interface Bracket {
  source: string;
  from: number;
  to: number;
}

/** A read of `count` entries of a source from rank `start` (0: its first in listing order). */
export interface WantedRead {
  source: string;
  start: number;
  count: number;
}

/** Sources read together (one Redis slot): one shard's pending sources, or its delayed jobs. */
export interface RankedGroup {
  /** Every source and its length; called first, once a page. */
  sources(): Promise<{ source: string; entries: number }[]>;
  /**
   * For the first brackets (one at least, more while one call's time budget lasts): how many of
   * the source's entries are keyed above `pivot` (with `orEqual`, not below it).
   */
  count(pivot: number, orEqual: boolean, brackets: readonly Bracket[]): Promise<number[]>;
  /** Entries of each source from its start, in listing order (fewer at a source's end). */
  read(wanted: readonly WantedRead[]): Promise<RankedEntry[][]>;
}

/** A page: its entries (each with the index of its group) and the number of places offsets run over. */
export interface RankedPage {
  entries: { group: number; entry: string }[];
  total: number;
}

/** Calls the search for a page's start may take, besides one per source: a bound for a listing whose data moves under it. */
const MAX_CALLS = 1_000;
/** Brackets one counting call is sent: its arguments stay small; a time budget stops it sooner. */
const BRACKETS_PER_COUNT = 200;
/** Entries one read takes at most (over its sources): each costs a record read and decode, 5 to 7 µs of Redis's time. */
const READ_BUDGET = 200;
/** Sources one read call reads from. */
const SOURCES_PER_READ = 64;
/** Entries read for a pivot's key: one that says nothing of its key takes the next one's that does. */
const PIVOT_READ = 8;

interface SourceState {
  group: number;
  source: string;
  entries: number;
  /** The page starts at a rank in [lo, hi]. */
  lo: number;
  hi: number;
  newer: number;
  noOlder: number;
}

/** Counts calls against a bound: a listing whose data moves under the search must not keep it going. */
class CallBudget {
  private calls = 0;
  constructor(private readonly offset: number, private readonly sources: () => number) {}

  spend(): void {
    const max = MAX_CALLS + this.sources();
    if (++this.calls <= max) return;
    throw new Error(`listJobs: offset ${this.offset} was not found in ${max} calls: the jobs moved too much meanwhile`);
  }
}

/** The page of `limit` shown entries from `offset` of the groups' merged listing. */
export async function readRankedPage(groups: readonly RankedGroup[], offset: number, limit: number): Promise<RankedPage> {
  const states: SourceState[] = [];
  const budget = new CallBudget(offset, () => states.length);
  for (const [group, reads] of groups.entries()) {
    budget.spend();
    for (const { source, entries } of await reads.sources()) states.push({ group, source, entries, lo: 0, hi: entries, newer: 0, noOlder: 0 });
  }
  const total = states.reduce((sum, s) => sum + s.entries, 0);
  if (offset >= total) return { entries: [], total };
  if (offset > 0) await locate(groups, states, offset, budget);
  return { entries: await mergeFrom(groups, states, limit), total };
}

/** Narrows every source's bracket to the rank where the page at `offset` starts (left in `lo`). */
async function locate(groups: readonly RankedGroup[], states: SourceState[], offset: number, budget: CallBudget): Promise<void> {
  const count = async (open: SourceState[], pivot: number, orEqual: boolean): Promise<number> => {
    const field = orEqual ? 'noOlder' : 'newer';
    for (const [group, reads] of groups.entries()) {
      const mine = open.filter((s) => s.group === group);
      for (let done = 0; done < mine.length;) {
        budget.spend();
        const brackets = mine.slice(done, done + BRACKETS_PER_COUNT).map((s) => ({ source: s.source, from: orEqual ? s.newer : s.lo, to: s.hi }));
        const counts = await reads.count(pivot, orEqual, brackets);
        if (counts.length === 0) throw new Error('listJobs: Redis counted none of the sources for the page');
        counts.forEach((c, i) => {
          // A source that changed since it was listed may count outside its bracket: held within it.
          mine[done + i]![field] = Math.min(Math.max(c, brackets[i]!.from), brackets[i]!.to);
        });
        done += counts.length;
      }
    }
    return states.reduce((sum, s) => sum + s[field], 0);
  };

  for (;;) {
    const open: SourceState[] = [];
    let width = 0;
    for (const s of states) {
      // A closed bracket counts the same for any pivot: its rank.
      s.newer = s.noOlder = s.lo;
      if (s.hi <= s.lo) continue;
      open.push(s);
      width += s.hi - s.lo;
    }
    // Only when keys were out of order (a clock that went back): start where the brackets do.
    if (open.length === 0) return;
    // The pivot: in a source drawn at random by its bracket's width, at the place the page's start
    // has among the ranks still in question. Sources alike in time (levels fed together) put it
    // next to the start at once; otherwise the draw keeps a round from splitting off only one
    // rank a time (one entry a level: the middle of the widest bracket closed one level a round).
    const place = (offset - states.reduce((sum, s) => sum + s.lo, 0)) / width;
    let draw = Math.floor(Math.random() * width);
    let picked = open[0]!;
    for (const s of open) {
      picked = s;
      if (draw < s.hi - s.lo) break;
      draw -= s.hi - s.lo;
    }
    const rank = Math.min(picked.hi - picked.lo - 1, Math.max(0, Math.floor(place * (picked.hi - picked.lo))));
    const at = picked.lo + rank;
    budget.spend();
    const pivot = (await groups[picked.group]!.read([{ source: picked.source, start: at, count: PIVOT_READ }]))[0]?.[0]?.key ?? 0;
    const newerSum = await count(open, pivot, false);
    // More than `offset` entries are keyed above the pivot: the page starts above it; no need to count ties.
    let noOlderSum = newerSum;
    if (newerSum <= offset) {
      for (const s of open) s.noOlder = s.newer;
      noOlderSum = await count(open, pivot, true);
    }
    if (newerSum <= offset && offset < noOlderSum) {
      // The entry at `offset` has the pivot's key: skip the entries of that key before it, by source order.
      let skip = offset - newerSum;
      for (const s of states) {
        const take = Math.min(s.noOlder - s.newer, skip);
        skip -= take;
        s.lo = s.newer + take;
      }
      return;
    }
    const [lo, hi] = [picked.lo, picked.hi];
    for (const s of open) {
      if (newerSum > offset) s.hi = s.newer;
      else s.lo = s.noOlder;
    }
    // Keys out of order (moved meanwhile, or a clock that went back) can leave the pivot's own
    // bracket as it was: split it at the pivot anyway, so every round narrows one.
    if (picked.lo === lo && picked.hi === hi) {
      if (newerSum > offset) picked.hi = at;
      else picked.lo = at + 1;
    }
  }
}

interface Cursor {
  state: SourceState;
  next: number;
  buffer: RankedEntry[];
  /** Entries its next read asks for: doubled at each refill, so a long run of hidden entries is read in few calls. */
  chunk: number;
}

/** Entries a page reads past its start at most (besides ten per entry asked for): a page behind a longer run of hidden ones comes back short. */
const MERGE_READ_CAP = 50_000;

/**
 * Merges the sources from their start ranks (`lo`) until `limit` entries are shown, all are read,
 * or the read cap is reached (tombstones or stale entries in a long run: the page comes back short).
 */
async function mergeFrom(groups: readonly RankedGroup[], states: readonly SourceState[], limit: number): Promise<RankedPage['entries']> {
  const first = Math.max(1, Math.min(limit + 16, Math.floor(READ_BUDGET / Math.max(1, states.length))));
  const cursors: Cursor[] = states.map((state) => ({ state, next: state.lo, buffer: [], chunk: first }));
  const cap = Math.max(MERGE_READ_CAP, 10 * limit);
  const page: RankedPage['entries'] = [];
  const seen = new Set<string>();
  for (let read = 0; page.length < limit && read <= cap;) {
    // A source whose read entries ran out may hold the next entry: read on before picking.
    for (const [group, reads] of groups.entries()) {
      const dry = cursors.filter((c) => c.state.group === group && c.buffer.length === 0 && c.next < c.state.entries);
      // A bounded number of sources per call: thousands of levels would otherwise be read in one.
      for (let at = 0; at < dry.length; at += SOURCES_PER_READ) {
        const batch = dry.slice(at, at + SOURCES_PER_READ);
        const share = Math.max(1, Math.floor(READ_BUDGET / batch.length));
        const wanted = batch.map((c) => ({ source: c.state.source, start: c.next, count: Math.min(c.chunk, share) }));
        const got = await reads.read(wanted);
        batch.forEach((c, i) => {
          const entries = got[i] ?? [];
          c.buffer.push(...entries);
          read += entries.length;
          // Fewer than asked: the source is shorter now than when the page was located.
          c.next = entries.length < wanted[i]!.count ? c.state.entries : c.next + entries.length;
          c.chunk = Math.min(2 * c.chunk, READ_BUDGET);
        });
      }
    }
    let best: Cursor | undefined;
    for (const c of cursors) {
      const head = c.buffer[0];
      if (head && (!best || head.key > best.buffer[0]!.key)) best = c;
    }
    if (!best) break;
    const { entry, shown } = best.buffer.shift()!;
    if (shown && !seen.has(entry)) {
      seen.add(entry);
      page.push({ group: best.state.group, entry });
    }
  }
  return page;
}
