import { checkQueueName } from './codec.js';
import type { RedisQueue } from './queue.js';
import type { Job, JobOptions } from './types.js';

/** Sends jobs by type and payload, optionally to another queue of the same connection. */
export class JobDispatcher {
  private readonly siblings = new Map<string, RedisQueue>();

  constructor(private readonly queue: RedisQueue) {}

  private target(operation: string, name: string | undefined): RedisQueue {
    if (name === undefined || name === this.queue.name) return this.queue;
    checkQueueName(operation, name);
    let sibling = this.siblings.get(name);
    if (!sibling) {
      sibling = this.queue.queue(name);
      this.siblings.set(name, sibling);
    }
    return sibling;
  }

  /** Stores a job of `type`; `options.delay` postpones it. Resolves to the stored job. */
  async dispatch(type: string, payload: Record<string, unknown> = {}, options: JobOptions = {}): Promise<Job> {
    const { delay, queue, ...job } = options;
    const target = this.target('dispatch', queue);
    return delay ? target.pushDelayed({ ...job, type, payload }, delay) : target.push({ ...job, type, payload });
  }

  /** Stores a job that may run only after `delayMs`. */
  async dispatchDelayed(type: string, payload: Record<string, unknown>, delayMs: number, options: JobOptions = {}): Promise<Job> {
    const { queue, delay: _ignored, ...job } = options;
    return this.target('dispatchDelayed', queue).pushDelayed({ ...job, type, payload }, delayMs);
  }

  /** Stores many jobs of one queue in one atomic round trip. */
  async dispatchBulk(jobs: readonly { type: string; payload?: Record<string, unknown>; options?: JobOptions }[], queue?: string): Promise<Job[]> {
    return this.target('dispatchBulk', queue).pushBulk(
      jobs.map(({ type, payload, options = {} }) => {
        const { queue: _queue, ...rest } = options;
        return { ...rest, type, payload: payload ?? {} };
      }),
    );
  }

  /** Releases the sibling queue handles this dispatcher opened (not the queue it was given). */
  async close(): Promise<void> {
    await Promise.all([...this.siblings.values()].map((q) => q.close()));
    this.siblings.clear();
  }
}
