/**
 * Storing new jobs of a queue: each job's shard and id, one atomic addJobs call per shard, and the
 * job each push resolves to (itself, or the holder of its unique key, see unique-wire.ts).
 */
import { decodeJob, encodeNewJob, type EncodedJob } from './codec.js';
import { newJobIds } from './ids.js';
import { ShardPicker, groupByShard, shardedId } from './shards.js';
import type { QueueStore } from './store.js';
import type { Job, NewJob } from './types.js';
import { ValidationError } from './errors.js';

/** A job for `pushBulk`: a new job with an optional delay. */
export type BulkJob = NewJob & { delay?: number };

/** What one job of an add came to: itself as stored, or, when its unique key was held, the holder. */
export interface PushOutcome<J = Job> {
  job: J;
  /** False when the job's uniqueKey was held: nothing was stored, and `job` is the holder. */
  stored: boolean;
}

/**
 * What an add came to: each job as stored or, at the indexes in `held`, the holder of its unique
 * key (nothing was stored for it). Kept apart so that a bulk add makes no object per job beyond the Job.
 */
export interface AddedJobs {
  jobs: Job[];
  held: ReadonlySet<number>;
}

const NONE_HELD: ReadonlySet<number> = new Set();

/** What a queue's new jobs take when they do not say. */
export interface JobDefaults {
  maxAttempts: number;
  maxPayloadBytes: number;
}

export class JobAdder {
  private readonly picker: ShardPicker;

  /** `beforeAdd` runs before each store (the queue registry's entry, see operations-store.ts). */
  constructor(
    private readonly queue: string,
    private readonly shards: readonly QueueStore[],
    private readonly defaults: JobDefaults,
    private readonly beforeAdd: () => Promise<void>,
  ) {
    this.picker = new ShardPicker(shards.length);
  }

  /**
   * Stores jobs: one atomic call per shard they go to, every job checked before any is sent. The
   * ids are drawn here, so a resend of a call (after a lost reply) stores nothing twice.
   */
  async add(operation: string, jobs: readonly BulkJob[]): Promise<AddedJobs> {
    if (this.shards.length === 1) return this.addToShard(operation, 0, jobs, this.encode(operation, 0, jobs));
    // A group's turns and cap hold on the shard its hash picks, a unique key on the shard its own
    // hash picks: one job cannot be on both when they differ, and neither may quietly give way.
    if (jobs.some((job) => job.group !== undefined && job.uniqueKey !== undefined)) {
      throw new ValidationError(operation, `a job of a queue of ${this.shards.length} shards takes a group or a uniqueKey, not both`);
    }
    const groups = [...groupByShard(jobs, (job) => this.picker.pick(job))]
      .map(([shard, group]) => ({ shard, ...group, encoded: this.encode(operation, shard, group.items, group.at) }));
    const stored: Job[] = new Array(jobs.length);
    const held = new Set<number>();
    await Promise.all(groups.map(async (group) => {
      const added = await this.addToShard(operation, group.shard, group.items, group.encoded);
      group.at.forEach((index, i) => {
        stored[index] = added.jobs[i]!;
        if (added.held.has(i)) held.add(index);
      });
    }));
    return { jobs: stored, held };
  }

  /**
   * New jobs of one shard as stored, with new ids (ascending, see ids.ts) that name the shard. A
   * refused job of a bulk add is named by its place in the caller's batch (`at`: the places of
   * these jobs there, when they are a shard's share of it).
   */
  private encode(operation: string, shard: number, jobs: readonly BulkJob[], at?: readonly number[]): EncodedJob[] {
    const ids = newJobIds(jobs.length);
    const { maxAttempts, maxPayloadBytes } = this.defaults;
    return jobs.map((job, i) => {
      try {
        // `?.`: a null in the batch is for encodeNewJob to refuse by name, not a TypeError here.
        return encodeNewJob(operation, shardedId(ids[i]!, shard, this.shards.length), job, (job as BulkJob | null)?.delay, maxAttempts, maxPayloadBytes);
      } catch (err) {
        if (operation !== 'pushBulk' || !(err instanceof ValidationError)) throw err;
        throw new ValidationError(operation, `the job at index ${at?.[i] ?? i} of the batch: ${err.message.slice(operation.length + 2)}`);
      }
    });
  }

  private async addToShard(operation: string, shard: number, jobs: readonly BulkJob[], encoded: EncodedJob[]): Promise<AddedJobs> {
    if (encoded.length === 0) return { jobs: [], held: NONE_HELD };
    await this.beforeAdd();
    const reply = await this.shards[shard]!.addJobs(encoded);
    // A 60-bit id collided (see ids.ts): draw again.
    if ('existingId' in reply) return this.addToShard(operation, shard, jobs, this.encode(operation, shard, jobs));
    if (reply.duplicates.size === 0) return { jobs: encoded.map((job) => this.newJob(job, reply.createdAt)), held: NONE_HELD };
    const stored = encoded.map((job, i) => (reply.duplicates.has(i) ? null : this.newJob(job, reply.createdAt)));
    // A job whose unique key was held is the holder: a stored job, or one stored by this call.
    const holders = stored.map((job, i) => {
      if (job) return job;
      const { id, stored: holder } = reply.duplicates.get(i)!;
      return (holder ? decodeJob(this.queue, id, holder.fields, holder.details) : stored.find((own) => own?.id === id))!;
    });
    return { jobs: holders, held: new Set(reply.duplicates.keys()) };
  }

  private newJob(job: EncodedJob, createdMs: number): Job {
    const createdAt = new Date(createdMs);
    const stored: Job = {
      id: job.id, queue: this.queue, type: job.type, payload: JSON.parse(job.payloadJson) as Record<string, unknown>,
      status: 'pending', attempts: 0, maxAttempts: job.maxAttempts, priority: job.priority, delay: job.delay,
      createdAt, enteredAt: createdAt,
    };
    if (job.timeout > 0) stored.timeout = job.timeout;
    if (job.delay > 0) stored.runAt = new Date(createdMs + job.delay);
    return stored;
  }
}
