/**
 * Reads of a sharded queue, merged in Node from each shard's own read: counts, pages of jobs and
 * the event feed. Each shard's read is the unsharded queue's, so what changes there composes.
 */
import type { QueueStore, StoredEvent } from './store.js';
import type { Job, QueueStats } from './types.js';

/** One shard of a queue at a glance. */
export interface ShardOverview {
  /** The shard's number, as its job ids name it (`<shard>-…`). */
  shard: number;
  stats: QueueStats;
  paused: boolean;
  /** When the shard's longest-waiting ready job became ready; null when none is ready. */
  oldestReadyAt: Date | null;
  /** On a cluster, `host:port` of the primary serving the shard. */
  node?: string;
}

type ShardStats = Awaited<ReturnType<QueueStore['stats']>>;

/**
 * The queue's counts (sums), paused state (paused when every shard is: a pause that reached only
 * some shards shows as not paused, and pausing again completes it) and oldest ready job; with more
 * than one shard, each shard's own.
 */
export function mergeOverviews(
  shards: readonly ShardStats[], nodes: readonly (string | undefined)[],
): { stats: QueueStats; paused: boolean; oldestReadyAt: Date | null; groupConcurrency: number | null; shards?: ShardOverview[] } {
  // Every shard stores the queue's cap: shard 0's stands for them all.
  const groupConcurrency = shards[0]!.groupConcurrency;
  const overviews = shards.map((shard, i): ShardOverview => ({
    shard: i, stats: shard.stats, paused: shard.paused, oldestReadyAt: shard.oldestReadyAt === null ? null : new Date(shard.oldestReadyAt),
    ...(nodes[i] === undefined ? {} : { node: nodes[i] }),
  }));
  if (overviews.length === 1) {
    const [only] = overviews;
    return { stats: only!.stats, paused: only!.paused, oldestReadyAt: only!.oldestReadyAt, groupConcurrency };
  }
  const stats = { ...overviews[0]!.stats };
  for (const { stats: shard } of overviews.slice(1)) {
    for (const key of Object.keys(stats) as (keyof QueueStats)[]) stats[key] += shard[key];
  }
  const oldest = overviews.map((shard) => shard.oldestReadyAt?.getTime()).filter((at): at is number => at !== undefined);
  return {
    stats,
    paused: overviews.every((shard) => shard.paused),
    oldestReadyAt: oldest.length === 0 ? null : new Date(Math.min(...oldest)),
    groupConcurrency,
    shards: overviews,
  };
}

/**
 * One page of a sharded queue's running jobs from every shard's (few: the workers' concurrency),
 * newest first by the time they started. Ties (jobs of one claim share their time) fall back to
 * ids, which ascend in a call (ids.ts). Other listings are paged by rank (sharded-pages.ts).
 */
export function mergeRunning(pages: readonly Job[][], offset: number, limit: number): Job[] {
  const merged = pages.flat();
  merged.sort((a, b) => b.enteredAt.getTime() - a.enteredAt.getTime() || b.id.localeCompare(a.id));
  return merged.slice(offset, offset + limit);
}

/** A stream entry id (`<ms>-<seq>`) as two numbers, for ordering entries of different shards. */
function entryOrder(id: string): [number, number] {
  const [ms, seq] = id.split('-');
  return [Number(ms), Number(seq ?? 0)];
}

function compareEntries(a: string, b: string): number {
  const [aMs, aSeq] = entryOrder(a);
  const [bMs, bSeq] = entryOrder(b);
  return aMs - bMs || aSeq - bSeq;
}

/**
 * A sharded queue's feed position: `<entry>~<after0>,<after1>,…`, the entry id of the event it
 * follows (so it reads as that event's time, like a plain entry id) and then every shard's own
 * position. A plain entry id or '0' stands for that position in every shard.
 */
function positions(afterId: string, count: number): string[] {
  const own = afterId.split('~')[1]?.split(',');
  return own?.length === count ? own : Array.from({ length: count }, () => afterId);
}

function position(entry: string, afters: readonly string[]): string {
  return `${entry}~${afters.join(',')}`;
}

/**
 * Events after `afterId` from every shard, merged by entry time (each shard's in its own order);
 * each event's id is the feed position after it, to pass back as `afterId`.
 */
export async function readShardEvents(shards: readonly QueueStore[], afterId: string, count: number): Promise<StoredEvent[]> {
  const afters = positions(afterId, shards.length);
  const feeds = await Promise.all(shards.map((shard, i) => shard.readEvents(afters[i]!, count)));
  const tagged = feeds.flatMap((events, shard) => events.map((event) => ({ event, shard })));
  // A stable sort keeps each shard's events in their order.
  tagged.sort((a, b) => compareEntries(a.event.id, b.event.id));
  return tagged.map(({ event, shard }) => {
    afters[shard] = event.id;
    return { ...event, id: position(event.id, afters) };
  });
}

/** The feed position after every shard's newest event ('0' when no shard has one). */
export async function lastShardEventId(shards: readonly QueueStore[]): Promise<string> {
  const lasts = await Promise.all(shards.map((shard) => shard.lastEventId()));
  if (lasts.every((id) => id === '0')) return '0';
  const newest = lasts.reduce((a, b) => (compareEntries(a, b) >= 0 ? a : b));
  return position(newest, lasts);
}
