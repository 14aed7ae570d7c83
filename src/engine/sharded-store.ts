/**
 * A worker's calls on a queue of several shards: the same calls as one QueueStore (WorkerStore),
 * each routed to the shard its job id names, and claims that go round the shards.
 */
import { groupByShard, shardOfId, type ShardGroup as Group } from './shards.js';
import type { QueueStore, WorkerStore } from './store.js';
import type { ClaimReply, ClaimRequest, Lease, Outcome, OutcomeFlag, RecordedListener } from './worker-wire.js';

/** The earlier of two "ms until due" values, where -1 means none. */
function sooner(a: number, b: number): number {
  if (a < 0) return b;
  return b < 0 ? a : Math.min(a, b);
}

/**
 * A round's rate-limit hold from its shards' (-1: not held): held only when every shard that
 * answered is, until the first of them opens. A shard free of its limit may take a pushed job at
 * once, so the worker then waits on the wake lists as usual (and sees the held shards again within
 * its pollTime).
 */
function heldTogether(held: readonly number[]): number {
  return held.length === 0 || held.some((ms) => ms < 0) ? -1 : Math.min(...held);
}

/**
 * How long a shard whose call failed is left out of claim rounds, doubling with each failure in a
 * row up to 8 s: a primary that is down (until a replica takes over, or for good without one)
 * would otherwise hold up every round that reaches it while its calls time out.
 */
const SHARD_BACKOFF_MS = { first: 500, max: 8_000 };

/** How long outcomes may wait for a claim round to reach their shard before they are sent alone. */
const OUTCOME_HOLD_MS = 50;

/**
 * The shards of one queue behind the calls of one store. A shard that fails does not stop the
 * others: its claims are left out for a while (and its failed claim request is sent again on its
 * next claim, so the jobs it may have leased come back, see lua/includes/claim.lua), and the
 * outcomes a claim round could not record on it wait here for its next call. A round fails only
 * when every shard it asked failed, which is what tells the worker that Redis is away.
 */
export class ShardedStore implements WorkerStore {
  private turn = 0;
  /** Shards whose last call failed: until when they are left out, and their failures in a row. */
  private readonly down = new Map<number, { until: number; failures: number }>();
  private readonly resend = new Map<number, ClaimRequest>();
  /** Outcomes waiting for their shard's next call, and since when (ms). */
  private readonly held = new Map<number, { outcomes: Outcome[]; since: number }>();
  /** Told what became of held outcomes once their shard answered: the workers that sent them. */
  private readonly listeners = new Set<RecordedListener>();

  constructor(readonly shards: readonly QueueStore[]) {}

  onRecorded(listener: RecordedListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  private reportRecorded(outcomes: readonly Outcome[], recorded: readonly boolean[]): void {
    for (const listener of this.listeners) listener(outcomes, recorded);
  }

  /** The shard that holds job `id`. */
  of(id: string): QueueStore {
    return this.shards[shardOfId(id, this.shards.length)]!;
  }

  /** Items by the shard of their job id, each with its index in `items`. */
  private split<T extends { id: string }>(items: readonly T[]): Map<number, Group<T>> {
    return groupByShard(items, (item) => shardOfId(item.id, this.shards.length));
  }

  /** Runs one call on a shard; a failure marks the shard down for a while and is returned, not thrown. */
  private async attempt<T>(shard: number, call: () => Promise<T>): Promise<{ value: T } | { error: unknown }> {
    try {
      const value = await call();
      this.down.delete(shard);
      return { value };
    } catch (error) {
      const failures = (this.down.get(shard)?.failures ?? 0) + 1;
      const backoff = Math.min(SHARD_BACKOFF_MS.max, SHARD_BACKOFF_MS.first * 2 ** (failures - 1));
      this.down.set(shard, { until: Date.now() + backoff, failures });
      return { error };
    }
  }

  /** Keeps outcomes for their shard's next call (an outcome already held is not held twice). */
  private hold(shard: number, outcomes: readonly Outcome[]): void {
    const held = this.held.get(shard);
    const known = new Set(held?.outcomes.map((o) => `${o.id}:${o.token}`));
    const added = outcomes.filter((o) => !known.has(`${o.id}:${o.token}`));
    if (added.length === 0) return;
    this.held.set(shard, { outcomes: [...(held?.outcomes ?? []), ...added], since: held?.since ?? Date.now() });
  }

  private takeHeld(shard: number): Outcome[] {
    const held = this.held.get(shard)?.outcomes ?? [];
    this.held.delete(shard);
    return held;
  }

  /**
   * One claim round: from a start shard, each shard in turn is asked for what is still wanted, until
   * the round has `count` jobs or every shard was asked. The start rotates from round to round (by
   * the request's sequence number, so a resend of a failed round starts where it did), so no shard
   * is always served first. `count` 0 runs every shard's upkeep.
   *
   * Outcomes wait for a claim on their shard and go with it, so a busy worker makes one call per
   * round, not one per shard; those of a shard the rounds do not reach go on their own after
   * OUTCOME_HOLD_MS. Every outcome is answered 'held': the listeners hear what Redis made of it
   * (recorded, or ignored because its job moved on) once its shard has answered, in this call or a
   * later one.
   */
  async finishAndClaim(outcomes: readonly Outcome[], count: number, leaseMs: number, request?: ClaimRequest): Promise<[OutcomeFlag[], ClaimReply]> {
    const n = this.shards.length;
    const start = (request?.seq ?? this.turn++) % n;
    const now = Date.now();
    const inTurn = Array.from({ length: n }, (_, k) => (start + k) % n);
    const up = inTurn.filter((shard) => (this.down.get(shard)?.until ?? 0) <= now);
    const visit = up.length > 0 ? up : inTurn;
    for (const [shard, group] of this.split(outcomes)) this.hold(shard, group.items);
    const reply: ClaimReply = { jobs: [], nextDue: -1, heldFor: -1, cut: false };
    const holds: number[] = [];
    const errors: unknown[] = [];
    let answered = 0;
    const claimOn = async (shard: number, wanted: number): Promise<void> => {
      const store = this.shards[shard]!;
      const sent = this.resend.get(shard) ?? request;
      const held = this.takeHeld(shard);
      const result = await this.attempt(shard, async (): Promise<[boolean[], ClaimReply]> => (held.length === 0
        ? [[], await store.claim(wanted, leaseMs, sent)]
        : store.finishAndClaim(held, wanted, leaseMs, sent)));
      if ('error' in result) {
        errors.push(result.error);
        if (sent) this.resend.set(shard, sent);
        this.hold(shard, held);
        return;
      }
      const [recorded, claimed] = result.value;
      this.reportRecorded(held, recorded);
      answered++;
      this.resend.delete(shard);
      reply.jobs.push(...claimed.jobs);
      reply.nextDue = sooner(reply.nextDue, claimed.nextDue);
      holds.push(claimed.heldFor);
      reply.cut ||= claimed.cut;
    };
    if (count === 0) {
      await Promise.all(visit.map((shard) => claimOn(shard, 0)));
    } else {
      for (const shard of visit) {
        if (reply.jobs.length >= count) break;
        await claimOn(shard, count - reply.jobs.length);
      }
    }
    reply.heldFor = heldTogether(holds);
    const overdue = [...this.held].filter(([, { since }]) => now - since >= OUTCOME_HOLD_MS).map(([shard]) => shard);
    await this.finishHeld(overdue, false);
    if (answered === 0 && errors.length > 0) throw errors[0];
    return [outcomes.map(() => 'held'), reply];
  }

  /**
   * Records what is held for `shards`, one call to each. A shard that fails keeps its outcomes
   * held; with `strict` the failure is thrown once every shard has answered.
   */
  private async finishHeld(shards: readonly number[], strict: boolean): Promise<void> {
    const errors: unknown[] = [];
    await Promise.all(shards.map(async (shard) => {
      const held = this.takeHeld(shard);
      if (held.length === 0) return;
      const result = await this.attempt(shard, () => this.shards[shard]!.finish(held));
      if ('error' in result) {
        errors.push(result.error);
        this.hold(shard, held);
      } else {
        this.reportRecorded(held, result.value);
      }
    }));
    if (strict && errors.length > 0) throw errors[0];
  }

  async claim(count: number, leaseMs: number, request?: ClaimRequest): Promise<ClaimReply> {
    return (await this.finishAndClaim([], count, leaseMs, request))[1];
  }

  /**
   * Records these outcomes and every one held, now; rejects if a shard failed (what it had stays
   * held). Answers 'held' as finishAndClaim does: the listeners have heard of those recorded.
   */
  async finish(outcomes: readonly Outcome[]): Promise<OutcomeFlag[]> {
    for (const [shard, group] of this.split(outcomes)) this.hold(shard, group.items);
    await this.finishHeld([...this.held.keys()], true);
    return outcomes.map(() => 'held');
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

  async markHandlerStop(id: string, state: 'stopping' | 'killed', attempt: number): Promise<boolean> {
    return this.of(id).markHandlerStop(id, state, attempt);
  }

  /** Heartbeats live on shard 0, the queue's home: one hash for the whole queue. */
  async heartbeat(workerId: string, json: string): Promise<void> {
    await this.shards[0]!.heartbeat(workerId, json);
  }

  async removeHeartbeats(workerIds: readonly string[]): Promise<void> {
    await this.shards[0]!.removeHeartbeats(workerIds);
  }
}
