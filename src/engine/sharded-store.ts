/**
 * A worker's calls on a queue of several shards: the same calls as one QueueStore (WorkerStore),
 * each routed to the shard its job id names, and claims that go round the shards.
 */
import { shardOfId } from './shards.js';
import type { ClaimReply, ClaimRequest, Lease, Outcome, QueueStore, WorkerStore } from './store.js';

/** The earlier of two "ms until due" values, where -1 means none. */
function sooner(a: number, b: number): number {
  if (a < 0) return b;
  return b < 0 ? a : Math.min(a, b);
}

/** The shards of one queue behind the calls of one store. */
export class ShardedStore implements WorkerStore {
  private turn = 0;

  constructor(readonly shards: readonly QueueStore[]) {}

  /** The shard that holds job `id`. */
  of(id: string): QueueStore {
    return this.shards[shardOfId(id, this.shards.length)]!;
  }

  /** Items by the shard of their job id, each with its index in `items`. */
  private split<T extends { id: string }>(items: readonly T[]): Map<number, { items: T[]; at: number[] }> {
    const groups = new Map<number, { items: T[]; at: number[] }>();
    items.forEach((item, i) => {
      const shard = shardOfId(item.id, this.shards.length);
      let group = groups.get(shard);
      if (!group) groups.set(shard, (group = { items: [], at: [] }));
      group.items.push(item);
      group.at.push(i);
    });
    return groups;
  }

  /**
   * One claim round: from a start shard, each shard in turn is asked for what is still wanted, until
   * the round has `count` jobs or every shard was asked. The start rotates from round to round (by
   * the request's sequence number, so a resend of a failed round starts where it did and finds the
   * jobs its first send leased, see lua/includes/claim.lua), so no shard is always served first.
   * `count` 0 runs every shard's upkeep. Outcomes go to their shards alongside the first claim.
   */
  async finishAndClaim(outcomes: readonly Outcome[], count: number, leaseMs: number, request?: ClaimRequest): Promise<[boolean[], ClaimReply]> {
    const n = this.shards.length;
    const start = (request?.seq ?? this.turn++) % n;
    const recorded: boolean[] = [];
    const groups = this.split(outcomes);
    const ownOutcomes = groups.get(start);
    groups.delete(start);
    const others = this.finishGroups(groups, recorded);
    const reply: ClaimReply = { jobs: [], nextDue: -1 };
    const claimOn = async (shard: number, wanted: number): Promise<void> => {
      const store = this.shards[shard]!;
      let got: ClaimReply;
      if (shard === start && ownOutcomes) {
        const [flags, claimed] = await store.finishAndClaim(ownOutcomes.items, wanted, leaseMs, request);
        ownOutcomes.at.forEach((index, i) => (recorded[index] = flags[i]!));
        got = claimed;
      } else {
        got = await store.claim(wanted, leaseMs, request);
      }
      reply.jobs.push(...got.jobs);
      reply.nextDue = sooner(reply.nextDue, got.nextDue);
    };
    if (count === 0) {
      await Promise.all(this.shards.map((_store, shard) => claimOn(shard, 0)));
    } else {
      for (let k = 0; k < n && reply.jobs.length < count; k++) await claimOn((start + k) % n, count - reply.jobs.length);
    }
    await others;
    return [recorded, reply];
  }

  async claim(count: number, leaseMs: number, request?: ClaimRequest): Promise<ClaimReply> {
    return (await this.finishAndClaim([], count, leaseMs, request))[1];
  }

  /** Records each shard's outcomes in one call to it, their flags at the outcomes' places in `recorded`. */
  private async finishGroups(groups: Map<number, { items: Outcome[]; at: number[] }>, recorded: boolean[]): Promise<void> {
    await Promise.all([...groups].map(async ([shard, group]) => {
      const flags = await this.shards[shard]!.finish(group.items);
      group.at.forEach((index, i) => (recorded[index] = flags[i]!));
    }));
  }

  async finish(outcomes: readonly Outcome[]): Promise<boolean[]> {
    const recorded: boolean[] = [];
    await this.finishGroups(this.split(outcomes), recorded);
    return recorded;
  }

  async extendLeases(leases: readonly Lease[], leaseMs: number): Promise<Lease[]> {
    const lost = await Promise.all([...this.split(leases)].map(([shard, group]) => this.shards[shard]!.extendLeases(group.items, leaseMs)));
    return lost.flat();
  }

  async release(leases: readonly Lease[], delayMs = 0): Promise<number> {
    const released = await Promise.all([...this.split(leases)].map(([shard, group]) => this.shards[shard]!.release(group.items, delayMs)));
    return released.reduce((sum, count) => sum + count, 0);
  }

  async progress(lease: Lease, json: string): Promise<boolean> {
    return this.of(lease.id).progress(lease, json);
  }

  async jobStatus(id: string): Promise<string | null> {
    return this.of(id).jobStatus(id);
  }

  /** Heartbeats live on shard 0, the queue's home: one hash for the whole queue. */
  async heartbeat(workerId: string, json: string): Promise<void> {
    await this.shards[0]!.heartbeat(workerId, json);
  }

  async removeHeartbeats(workerIds: readonly string[]): Promise<void> {
    await this.shards[0]!.removeHeartbeats(workerIds);
  }
}
