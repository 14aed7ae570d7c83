import type { Logger } from 'pino';
import { toJson } from './codec.js';
import { isRedisUnreachable, unreachableReason } from './errors.js';
import type { Attempt } from './attempt.js';
import type { WorkerStore } from './store.js';
import type { Job, JobContext } from './types.js';

/** How often a progress report that Redis did not take is sent again while it is the latest. */
const PROGRESS_RESEND_MS = 1_000;

/** The key of a context's handler-stop note (see `noteHandlerStop`), out of the handler's sight. */
const STOP_NOTE = Symbol('flexq.handlerStop');

/**
 * Notes on the job of `ctx` that its handler is being stopped or was killed (isolated handlers),
 * for consoles; a context that is not a worker's does nothing.
 */
export function noteHandlerStop(ctx: JobContext, state: 'stopping' | 'killed'): void {
  (ctx as { [STOP_NOTE]?: (state: 'stopping' | 'killed') => void })[STOP_NOTE]?.(state);
}

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
  /** The last progress reported, as stored: what a resend sends. */
  #latestProgress?: string;
  #resend?: NodeJS.Timeout;

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

  [STOP_NOTE](state: 'stopping' | 'killed'): void {
    this.#store.markHandlerStop(this.#job.id, state, this.#job.attempts).catch((err: unknown) => {
      this.logger.warn({ err }, `could not note that the handler is ${state}`);
    });
  }

  /**
   * A function of its own, so that `const { progress } = ctx` works too. A report is not worth a
   * job: while Redis does not answer it resolves all the same, and the latest value is sent again
   * every second until Redis takes it or the attempt is over. A value that cannot be stored (not
   * JSON, too large) still rejects.
   */
  get progress(): (value: unknown) => Promise<void> {
    return (this.#progress ??= async (value) => {
      const json = toJson('progress', 'progress', value);
      this.#latestProgress = json;
      await this.#sendProgress(json);
    });
  }

  async #sendProgress(json: string): Promise<void> {
    try {
      await this.#store.progress(this.#attempt.lease, json);
    } catch (err) {
      if (!isRedisUnreachable(err)) throw err;
      this.logger.debug({ reason: unreachableReason(err as Error) }, 'progress not stored yet: Redis is not answering; the latest value is sent again once it does');
      this.#resendLater();
    }
  }

  /** One resend at a time per attempt, of whatever value is the latest when it fires. */
  #resendLater(): void {
    if (this.#resend) return;
    this.#resend = setTimeout(() => {
      this.#resend = undefined;
      const json = this.#latestProgress;
      if (json === undefined || this.#attempt.ended) return;
      this.#sendProgress(json).catch((error: unknown) => this.logger.warn({ err: error }, 'progress not stored'));
    }, PROGRESS_RESEND_MS).unref();
  }
}
