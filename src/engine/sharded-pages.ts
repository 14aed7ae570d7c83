/**
 * Pages of a sharded queue's jobs at any depth: each shard's listing in one status as a group of
 * `rank-search.ts`, which finds where the page starts in every shard in O(log n) reads per shard
 * rather than reading each shard's first `offset + limit`. Each group lists in its shard's own
 * order, by a key that never grows along it: pending and finished jobs newest first (the time they
 * entered their status), retrying jobs the latest retry first, delayed jobs the soonest run-at
 * first (the key is the run-at negated). Ties across shards go by shard.
 */
import { parseRecord } from './codec.js';
import type { RankedEntry, RankedGroup, WantedRead } from './rank-search.js';
import type { FinishedStatus, QueueStore } from './store.js';

/** Which listings are paged by rank across shards (processing jobs are few: read whole). */
export type RankedStatus = 'pending' | 'delayed' | 'retrying' | FinishedStatus;

/** A shard's listing of `status` as a group of a ranked page. */
export function shardGroup(store: QueueStore, status: RankedStatus): RankedGroup {
  switch (status) {
    case 'pending':
      return store.pendingGroup();
    case 'delayed':
      return delayedGroup(store);
    case 'retrying':
      return retryingGroup(store);
    default:
      return finishedGroup(store, status);
  }
}

/** `[member, score, …]` as entries keyed by `key(score)`, all shown. */
function scoredEntries(reply: readonly string[], key: (score: number) => number): RankedEntry[] {
  const entries: RankedEntry[] = [];
  for (let i = 0; i + 1 < reply.length; i += 2) entries.push({ entry: reply[i]!, key: key(Number(reply[i + 1])), shown: true });
  return entries;
}

/** The one source of a single-source group: what `read` and `count` were asked of it. */
function only<T>(items: readonly T[]): T {
  if (items.length !== 1) throw new Error(`a shard's listing is one source, asked for ${items.length}`);
  return items[0]!;
}

/**
 * Delayed jobs not yet due, soonest run-at first: the ZSET by rank past the due ones, counted once
 * a page on Redis's clock (as `delayedIds` and getStats do).
 */
function delayedGroup(store: QueueStore): RankedGroup {
  const { client, keys } = store;
  let now = 0;
  let due = 0;
  return {
    async sources() {
      ({ now, due } = await store.dueDelayed());
      return [{ source: 'delayed', entries: (await client.zcard(keys.delayed)) - due }];
    },
    async count(pivot, orEqual) {
      // Keyed above the pivot: a run-at before -pivot.
      return [await client.zcount(keys.delayed, `(${now}`, `${orEqual ? '' : '('}${-pivot}`)];
    },
    async read(wanted) {
      const { start, count } = only(wanted);
      return [scoredEntries(await client.zrange(keys.delayed, due + start, due + start + count - 1, 'WITHSCORES'), (score) => -score)];
    },
  };
}

/** Retrying jobs, the latest retry time first. */
function retryingGroup(store: QueueStore): RankedGroup {
  const { client, keys } = store;
  return {
    async sources() {
      return [{ source: 'retrying', entries: await client.zcard(keys.retrying) }];
    },
    async count(pivot, orEqual) {
      return [await client.zcount(keys.retrying, `${orEqual ? '' : '('}${pivot}`, '+inf')];
    },
    async read(wanted) {
      const { start, count } = only(wanted);
      return [scoredEntries(await client.zrevrange(keys.retrying, start, start + count - 1, 'WITHSCORES'), (score) => score)];
    },
  };
}

/**
 * Finished jobs of one status, newest first: the entries `<finished µs>,<id>` of its list (see
 * lua/includes/finished.lua). An entry is shown while its job's record has that status and the
 * entry's time: stale ones (retried, removed) are skipped, as a shard's own page does.
 */
function finishedGroup(store: QueueStore, status: FinishedStatus): RankedGroup {
  return {
    async sources() {
      return [{ source: status, entries: await store.finishedLength(status) }];
    },
    async count(pivot, orEqual) {
      return [Number(await store.call('countFinishedNewer', [status, pivot, orEqual ? 1 : 0]))];
    },
    async read(wanted: readonly WantedRead[]) {
      const { start, count } = only(wanted);
      const entries = await store.finishedEntries(status, start, count);
      if (entries.length === 0) return [[]];
      const records = await store.client.hmget(store.keys.jobs, ...entries.map((e) => e.id));
      return [entries.map(({ id, finishedUs }, i) => {
        const fields = records[i] ? parseRecord(records[i]!) : null;
        return { entry: id, key: Number(finishedUs), shown: fields?.s === status && fields.e === finishedUs };
      })];
    },
  };
}
