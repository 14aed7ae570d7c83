import type { Logger } from 'pino';
import { toJson } from './codec.js';
import type { Attempt } from './attempt.js';
import type { WorkerStore } from './store.js';
import type { Job, JobContext } from './types.js';

/**
 * What a handler gets besides its job. The signal and the child logger are made on first use:
 * most handlers touch neither, and both cost an allocation per job.
 */
export class AttemptContext implements JobContext {
  readonly #job: Job;
  readonly #attempt: Attempt;
  readonly #workerLogger: Logger;
  readonly #store: WorkerStore;
  #logger?: Logger;
  #progress?: (value: unknown) => Promise<void>;

  constructor(job: Job, attempt: Attempt, workerLogger: Logger, store: WorkerStore) {
    this.#job = job;
    this.#attempt = attempt;
    this.#workerLogger = workerLogger;
    this.#store = store;
  }

  get signal(): AbortSignal {
    return this.#attempt.signal;
  }

  get logger(): Logger {
    return (this.#logger ??= this.#workerLogger.child({ jobId: this.#job.id, type: this.#job.type }));
  }

  /** A function of its own, so that `const { progress } = ctx` works too. */
  get progress(): (value: unknown) => Promise<void> {
    return (this.#progress ??= async (value) => {
      await this.#store.progress(this.#attempt.lease, toJson('progress', 'progress', value));
    });
  }
}
