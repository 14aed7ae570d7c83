/**
 * A worker's calls on a queue of several shards: the same calls as one QueueStore (WorkerStore),
 * each routed to the shard its job id names, and claims that go round the shards.
 */
import { groupByShard, shardOfId, type ShardGroup as Group } from './shards.js';
import type { ClaimReply, ClaimRequest, Lease, Outcome, QueueStore, WorkerStore } from './store.js';

/** The earlier of two "ms until due" values, where -1 means none. */
function sooner(a: number, b: number): number {
  if (a < 0) return b;
  return b < 0 ? a : Math.min(a, b);
}

/**
 * How long a shard whose call failed is left out of claim rounds: a primary that is down (until a
 * replica takes over, or for good without one) would otherwise hold up every round that reaches it.
 */
const SHARD_BACKOFF_MS = 1_000;

/**
 * The shards of one queue behind the calls of one store. A shard that fails does not stop the
 * others: its claims are left out for a while (and its failed claim request is sent again on its
 * next claim, so the jobs it may have leased come back, see lua/includes/claim.lua), and the
 * outcomes a claim round could not record on it wait here for its next call. A round fails only
 * when every shard it asked failed, which is what tells the worker that Redis is away.
 */
export class ShardedStore implements WorkerStore {
  private turn = 0;
  private readonly downUntil = new Map<number, number>();
  private readonly resend = new Map<number, ClaimRequest>();
  private readonly held = new Map<number, Outcome[]>();

  constructor(readonly shards: readonly QueueStore[]) {}

  /** The shard that holds job `id`. */
  of(id: string): QueueStore {
    return this.shards[shardOfId(id, this.shards.length)]!;
  }

  /** Items by the shard of their job id, each with its index in `items`. */
  private split<T extends { id: string }>(items: readonly T[]): Map<number, Group<T>> {
    return groupByShard(items, (item) => shardOfId(item.id, this.shards.length));
  }

  /** A shard's outcomes with those held for it from earlier calls in front (their flags are dropped). */
  private withHeld(shard: number, outcomes: readonly Outcome[]): { outcomes: Outcome[]; heldCount: number } {
    const held = this.held.get(shard) ?? [];
    this.held.delete(shard);
    return { outcomes: [...held, ...outcomes], heldCount: held.length };
  }

  /** Runs one call on a shard; a failure marks the shard down for a while and is returned, not thrown. */
  private async attempt<T>(shard: number, call: () => Promise<T>): Promise<{ value: T } | { error: unknown }> {
    try {
      const value = await call();
      this.downUntil.delete(shard);
      return { value };
    } catch (error) {
      this.downUntil.set(shard, Date.now() + SHARD_BACKOFF_MS);
      return { error };
    }
  }

  /**
   * One claim round: from a start shard, each shard in turn is asked for what is still wanted, until
   * the round has `count` jobs or every shard was asked. The start rotates from round to round (by
   * the request's sequence number, so a resend of a failed round starts where it did), so no shard
   * is always served first. `count` 0 runs every shard's upkeep. Outcomes go to their shards
   * alongside the first claim.
   */
  async finishAndClaim(outcomes: readonly Outcome[], count: number, leaseMs: number, request?: ClaimRequest): Promise<[boolean[], ClaimReply]> {
    const n = this.shards.length;
    const start = (request?.seq ?? this.turn++) % n;
    const now = Date.now();
    const inTurn = Array.from({ length: n }, (_, k) => (start + k) % n);
    const up = inTurn.filter((shard) => (this.downUntil.get(shard) ?? 0) <= now);
    const visit = up.length > 0 ? up : inTurn;
    const recorded: boolean[] = outcomes.map(() => true);
    const groups = this.split(outcomes);
    const first = visit[0]!;
    const firstGroup = groups.get(first) ?? { items: [], at: [] };
    groups.delete(first);
    const firstOutcomes = this.withHeld(first, firstGroup.items);
    const others = this.finishGroups(groups, recorded, false);
    const reply: ClaimReply = { jobs: [], nextDue: -1 };
    const errors: unknown[] = [];
    let answered = 0;
    const claimOn = async (shard: number, wanted: number): Promise<void> => {
      const store = this.shards[shard]!;
      const sent = this.resend.get(shard) ?? request;
      const result = await this.attempt(shard, async () => {
        if (shard !== first || firstOutcomes.outcomes.length === 0) return store.claim(wanted, leaseMs, sent);
        const [flags, claimed] = await store.finishAndClaim(firstOutcomes.outcomes, wanted, leaseMs, sent);
        firstGroup.at.forEach((index, i) => (recorded[index] = flags[firstOutcomes.heldCount + i]!));
        return claimed;
      });
      if ('error' in result) {
        errors.push(result.error);
        if (sent) this.resend.set(shard, sent);
        if (shard === first) this.hold(first, firstOutcomes.outcomes);
        return;
      }
      answered++;
      this.resend.delete(shard);
      reply.jobs.push(...result.value.jobs);
      reply.nextDue = sooner(reply.nextDue, result.value.nextDue);
    };
    if (count === 0) {
      await Promise.all(visit.map((shard) => claimOn(shard, 0)));
    } else {
      for (const shard of visit) {
        if (reply.jobs.length >= count) break;
        await claimOn(shard, count - reply.jobs.length);
      }
    }
    await others;
    if (answered === 0 && errors.length > 0) throw errors[0];
    return [recorded, reply];
  }

  private hold(shard: number, outcomes: readonly Outcome[]): void {
    if (outcomes.length > 0) this.held.set(shard, [...outcomes, ...(this.held.get(shard) ?? [])]);
  }

  /**
   * Records each shard's outcomes in one call to it, their flags at the outcomes' places in
   * `recorded`. A shard that fails keeps its outcomes held for its next call, or (`strict`) leaves
   * them to the caller, to whom the failure is thrown once every shard has answered.
   */
  private async finishGroups(groups: Map<number, Group<Outcome>>, recorded: boolean[], strict: boolean): Promise<void> {
    const errors: unknown[] = [];
    await Promise.all([...groups].map(async ([shard, group]) => {
      const { outcomes, heldCount } = this.withHeld(shard, group.items);
      const result = await this.attempt(shard, () => this.shards[shard]!.finish(outcomes));
      if ('error' in result) {
        errors.push(result.error);
        this.hold(shard, strict ? outcomes.slice(0, heldCount) : outcomes);
        return;
      }
      group.at.forEach((index, i) => (recorded[index] = result.value[heldCount + i]!));
    }));
    if (strict && errors.length > 0) throw errors[0];
  }

  async claim(count: number, leaseMs: number, request?: ClaimRequest): Promise<ClaimReply> {
    return (await this.finishAndClaim([], count, leaseMs, request))[1];
  }

  async finish(outcomes: readonly Outcome[]): Promise<boolean[]> {
    const recorded: boolean[] = outcomes.map(() => true);
    const groups = this.split(outcomes);
    // Outcomes held for shards these do not reach go along too.
    for (const shard of this.held.keys()) if (!groups.has(shard)) groups.set(shard, { items: [], at: [] });
    await this.finishGroups(groups, recorded, true);
    return recorded;
  }

  /** Renews leases on every shard; a shard that fails reports no lost lease (it is tried again next time). */
  async extendLeases(leases: readonly Lease[], leaseMs: number): Promise<Lease[]> {
    const results = await Promise.all([...this.split(leases)].map(([shard, group]) => this.attempt(shard, () => this.shards[shard]!.extendLeases(group.items, leaseMs))));
    const answered = results.flatMap((result) => ('value' in result ? [result.value] : []));
    if (answered.length === 0 && results.length > 0) throw (results[0] as { error: unknown }).error;
    return answered.flat();
  }

  /** Hands jobs back on every shard; rejects once all have answered if any failed (those leases run out). */
  async release(leases: readonly Lease[], delayMs = 0): Promise<number> {
    const results = await Promise.allSettled([...this.split(leases)].map(([shard, group]) => this.shards[shard]!.release(group.items, delayMs)));
    const failed = results.find((result) => result.status === 'rejected');
    if (failed) throw failed.reason;
    return results.reduce((sum, result) => sum + (result as PromiseFulfilledResult<number>).value, 0);
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
