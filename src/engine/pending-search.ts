/**
 * Where the page at `offset` of the pending jobs starts, in every source at once, found in short
 * calls (`listPendingSources.lua`, `countPendingNewer.lua`): pending jobs are the entries of many
 * sources (a ready list per level, the fair groups' ready jobs, the due delayed jobs), each in time
 * order, and a page is their merge, newest first. The search holds its state here, so a call's
 * cost is the work asked of it, not the number of sources: a queue with thousands of priority
 * levels is searched in more calls, none of them long.
 *
 * Each round takes the middle entry of the widest bracket of ranks still in question as a pivot,
 * counts the entries newer than its time in every source whose bracket is open (and, when the page
 * may start at that time, those no older), and narrows every bracket. Ties go by source order
 * (levels highest first, the due jobs last), then by place in their list. Under live change
 * between the calls (claims, new jobs) the page is as of a moment in between.
 */

/** One source's page start: `source` is a level, `grouped` or `due`; `entries` its length then. */
export interface PendingSource {
  source: string;
  entries: number;
  start: number;
}

/** `listPendingSources.lua`'s reply: Redis's time of the search, the levels in all, some sources. */
export interface SourceList {
  now: string;
  levels: number;
  sources: { source: string; entries: number }[];
}

/** The ranks of a source a count is known to lie within. */
export interface Bracket {
  source: string;
  from: number;
  to: number;
}

/** The reads the search takes, as the store runs them. */
export interface PendingSearchReads {
  /** `now`: '' on the first call (Redis's clock is read), then the time the first call gave. */
  listSources(now: string, first: number, count: number): Promise<SourceList>;
  /** Counts of the first brackets, as many as the time budget allowed (one at least). */
  countNewer(now: string, budgetUs: number, pivot: number, orEqual: boolean, brackets: readonly Bracket[]): Promise<number[]>;
  /** The time in µs of a source's entry at `rank` (0: the newest), or undefined when it has none. */
  timeAt(now: string, source: string, rank: number): Promise<number | undefined>;
}

/** Where the page starts: Redis's time of the search, the entries in all, each source's start. */
export interface LocatedPage {
  now: string;
  total: number;
  sources: PendingSource[];
}

/** Levels one listing call reads (a ZREVRANGE slice and an LLEN each). */
const LEVELS_PER_LIST = 200;
/** Brackets one counting call is sent: its arguments stay small; the budget stops it sooner. */
const BRACKETS_PER_COUNT = 200;

interface SourceState {
  source: string;
  entries: number;
  /** The page starts at a rank in [lo, hi]. */
  lo: number;
  hi: number;
  newer: number;
  noOlder: number;
}

/** Counts calls against a bound: a queue whose data moves under the search must not keep it going. */
class CallBudget {
  private calls = 0;
  constructor(private readonly max: number, private readonly offset: number, private readonly sources: () => number) {}

  spend(): void {
    if (++this.calls <= this.max) return;
    const many = this.sources() > 1_000 ? `, or spread over too many priority levels (${this.sources()} lists) for a search by rank` : '';
    throw new Error(`listJobs: offset ${this.offset} of the pending jobs was not found in ${this.max} calls: they moved too much meanwhile${many}`);
  }
}

/** Finds where the page at `offset` starts in every source; `budgetUs`: Redis time per call. */
export async function locatePendingPage(reads: PendingSearchReads, offset: number, budgetUs: number, maxCalls: number): Promise<LocatedPage> {
  const states: SourceState[] = [];
  const budget = new CallBudget(maxCalls, offset, () => states.length);
  const now = await listAll(reads, states, budget);
  const total = states.reduce((sum, s) => sum + s.entries, 0);
  const located = (starts: (s: SourceState) => number): LocatedPage => ({
    now,
    total,
    sources: states.map((s) => ({ source: s.source, entries: s.entries, start: starts(s) })),
  });
  if (offset === 0 || offset >= total) return located(() => 0);

  const count = async (open: SourceState[], pivot: number, orEqual: boolean): Promise<number> => {
    const field = orEqual ? 'noOlder' : 'newer';
    for (let done = 0; done < open.length;) {
      budget.spend();
      const brackets = open.slice(done, done + BRACKETS_PER_COUNT).map((s) => ({ source: s.source, from: orEqual ? s.newer : s.lo, to: s.hi }));
      const counts = await reads.countNewer(now, budgetUs, pivot, orEqual, brackets);
      if (counts.length === 0) throw new Error('listJobs: Redis counted no pending source for the page');
      counts.forEach((c, i) => {
        // A source that changed since it was listed may count outside its bracket: held within it.
        open[done + i]![field] = Math.min(Math.max(c, brackets[i]!.from), brackets[i]!.to);
      });
      done += counts.length;
    }
    return states.reduce((sum, s) => sum + s[field], 0);
  };

  for (;;) {
    const open: SourceState[] = [];
    let widest: SourceState | undefined;
    for (const s of states) {
      // A closed bracket counts the same for any pivot: its rank.
      s.newer = s.noOlder = s.lo;
      if (s.hi <= s.lo) continue;
      open.push(s);
      if (!widest || s.hi - s.lo > widest.hi - widest.lo) widest = s;
    }
    // Only when times were out of order (a clock that went back): start where the brackets do.
    if (!widest) return located((s) => s.lo);
    const mid = Math.floor((widest.lo + widest.hi) / 2);
    budget.spend();
    const pivot = (await reads.timeAt(now, widest.source, mid)) ?? 0;
    const newerSum = await count(open, pivot, false);
    // More than `offset` entries are newer than the pivot: the page starts newer; no need to count ties.
    let noOlderSum = newerSum;
    if (newerSum <= offset) {
      for (const s of open) s.noOlder = s.newer;
      noOlderSum = await count(open, pivot, true);
    }
    if (newerSum <= offset && offset < noOlderSum) {
      // The entry at `offset` is of the pivot's time: skip the entries of that time before it, by source order.
      let skip = offset - newerSum;
      return located((s) => {
        const take = Math.min(s.noOlder - s.newer, skip);
        skip -= take;
        return s.newer + take;
      });
    }
    const before = [widest.lo, widest.hi];
    for (const s of open) {
      if (newerSum > offset) s.hi = s.newer;
      else s.lo = s.noOlder;
    }
    // Entries out of time order (moved meanwhile, or a clock that went back) can leave the pivot's
    // own bracket as it was: halve it anyway, so every round narrows one.
    if (widest.lo === before[0] && widest.hi === before[1]) {
      if (newerSum > offset) widest.hi = mid;
      else widest.lo = mid + 1;
    }
  }
}

/** Lists every source into `states` (a level listed twice as levels come and go counts once); the search's time. */
async function listAll(reads: PendingSearchReads, states: SourceState[], budget: CallBudget): Promise<string> {
  const seen = new Set<string>();
  let now = '';
  for (let first = 0; ; first += LEVELS_PER_LIST) {
    budget.spend();
    const list = await reads.listSources(now, first, LEVELS_PER_LIST);
    now = list.now;
    for (const { source, entries } of list.sources) {
      if (seen.has(source)) continue;
      seen.add(source);
      states.push({ source, entries, lo: 0, hi: entries, newer: 0, noOlder: 0 });
    }
    if (first + LEVELS_PER_LIST >= list.levels) return now;
  }
}
