import { inspect } from 'node:util';
import { checkQueueName } from './codec.js';
import { ValidationError } from './errors.js';
import { checkKnownKeys } from './known-keys.js';
import type { BulkEntryOf, DispatchArgs, JobMap, JobOf, JobType, TypedJob, UntypedJobs } from './job-map.js';
import type { RedisQueue } from './queue.js';
import { closeWith } from './queue-connection.js';
import type { Job, JobOptions } from './types.js';

const JOB_OPTION_KEYS = ['maxAttempts', 'priority', 'delay', 'queue', 'timeout', 'uniqueKey', 'uniqueFor', 'group'] as const satisfies readonly (keyof JobOptions)[];
const JOB_OPTIONS: ReadonlySet<string> = new Set(JOB_OPTION_KEYS);

/**
 * The options of a dispatch, checked before anything reads them: an object of JobOptions keys only
 * (a `type` or `payload` there is no option, and would be dropped).
 */
function jobOptionsOf(operation: string, options: unknown): JobOptions {
  if (options === undefined) return {};
  if (typeof options !== 'object' || options === null || Array.isArray(options)) {
    throw new ValidationError(operation, `options must be an object of job options, got ${options === null ? 'null' : Array.isArray(options) ? 'an array' : typeof options}`);
  }
  checkKnownKeys(operation, options, JOB_OPTIONS, JOB_OPTION_KEYS);
  return options as JobOptions;
}

/**
 * Sends jobs by type and payload, optionally to another queue of the same connection; made from a
 * queue connected with a job map (`M`, see job-map.ts), it checks each type name and payload.
 */
export class JobDispatcher<M extends JobMap<M> = UntypedJobs> {
  /** The handles of other queues this dispatcher opened, each with what uncounts it from its queue's close. */
  private readonly siblings = new Map<string, { queue: RedisQueue; forget: () => void }>();
  private readonly queue: RedisQueue;

  constructor(queue: RedisQueue<M>) {
    // The job map types the arguments only; at run time every queue is the same.
    this.queue = queue as unknown as RedisQueue;
  }

  /** Printed or serialised, a dispatcher shows its queue's summary (see RedisQueue.toJSON). */
  toJSON(): { queue: string; prefix: string } {
    return { queue: this.queue.name, prefix: this.queue.prefix };
  }

  [inspect.custom](): string {
    return `JobDispatcher ${inspect(this.toJSON())}`;
  }

  private target(operation: string, name: string | undefined): RedisQueue {
    if (name === undefined || name === this.queue.name) return this.queue;
    checkQueueName(operation, name);
    let sibling = this.siblings.get(name);
    if (!sibling) {
      const queue = this.queue.queue(name);
      // Closing the dispatcher's queue closes its siblings too: they are the dispatcher's, unseen.
      sibling = { queue, forget: closeWith(this.queue, queue) };
      this.siblings.set(name, sibling);
    }
    return sibling.queue;
  }

  /** Stores a job of `type`; `options.delay` postpones it. Resolves to the stored job. */
  async dispatch<K extends JobType<M>>(type: K, ...args: DispatchArgs<M[K]>): Promise<TypedJob<M, K>> {
    const [payload, given] = args;
    const { delay, queue, ...job } = jobOptionsOf('dispatch', given);
    const target = this.target('dispatch', queue);
    // Only a missing payload is the empty one: null and the like go on to be refused by the checks.
    const untyped = (payload === undefined ? {} : payload) as Record<string, unknown>;
    return typed(await (delay ? target.pushDelayed({ ...job, type, payload: untyped }, delay) : target.push({ ...job, type, payload: untyped })));
  }

  /** Stores a job that may run only after `delayMs`. */
  async dispatchDelayed<K extends JobType<M>>(type: K, payload: M[K], delayMs: number, options?: JobOptions): Promise<TypedJob<M, K>> {
    const { queue, delay: _ignored, ...job } = jobOptionsOf('dispatchDelayed', options);
    return typed(await this.target('dispatchDelayed', queue).pushDelayed({ ...job, type, payload: payload as Record<string, unknown> }, delayMs));
  }

  /** Stores many jobs of one queue in one atomic round trip. */
  async dispatchBulk(jobs: readonly BulkEntryOf<M>[], queue?: string): Promise<JobOf<M>[]> {
    const stored = await this.target('dispatchBulk', queue).pushBulk(
      jobs.map(({ type, payload, options }: { type: string; payload?: object; options?: JobOptions }) => {
        const { queue: _queue, ...rest } = jobOptionsOf('dispatchBulk', options);
        return { ...rest, type, payload: (payload ?? {}) as Record<string, unknown> };
      }),
    );
    return stored.map((job) => typed<JobOf<M>>(job));
  }

  /** Releases the sibling queue handles this dispatcher opened (not the queue it was given). */
  async close(): Promise<void> {
    const siblings = [...this.siblings.values()];
    this.siblings.clear();
    await Promise.all(siblings.map(({ queue, forget }) => {
      forget();
      return queue.close();
    }));
  }
}

/** A stored job as its map types it: the map describes what was dispatched, so it holds. */
function typed<T>(job: Job): T {
  return job as unknown as T;
}
