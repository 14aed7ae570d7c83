/**
 * A module handler run in worker threads or child processes, one job per runner at a time, so a
 * handler that ignores its signal (or spins in a busy loop) can be stopped: when the signal aborts
 * on cancel or timeout, the runner gets the abort, and if the handler has not returned `killAfter`
 * ms later its runner is terminated and a fresh one takes its place.
 */
import { pino } from 'pino';
import { JobAbortedError } from '../attempt.js';
import { noteHandlerStop } from '../attempt-context.js';
import { PermanentError } from '../handler.js';
import { cappedTimeout } from '../timers.js';
import type { Handler, Job, JobContext, JobResult } from '../types.js';
import type { RunnerSpec } from './protocol.js';
import { Runner, type IsolationKind, type RunFailure } from './runner.js';

/** The handler of a killed runner did not return in time; the attempt's outcome says why it stopped. */
export class HandlerKilledError extends Error {
  override readonly name = 'HandlerKilledError';
}

const LEVEL_NAMES = pino.levels.labels;

/** Writes a log line of the runner through the job's own logger, at its level. */
function relayLog(ctx: JobContext, line: string): void {
  let entry: Record<string, unknown>;
  try {
    entry = JSON.parse(line) as Record<string, unknown>;
  } catch {
    return;
  }
  const { level, msg, ...fields } = entry;
  const name = LEVEL_NAMES[Number(level)] ?? 'info';
  const log = (ctx.logger as unknown as Record<string, (obj: object, msg?: string) => void>)[name];
  log?.call(ctx.logger, fields, typeof msg === 'string' ? msg : undefined);
}

function outcomeOf(settled: { result: JobResult } | { failure: RunFailure }): JobResult {
  if ('result' in settled) return settled.result;
  const { message, permanent } = settled.failure;
  throw permanent ? new PermanentError(message) : new Error(message);
}

export class IsolatedHandler implements Handler {
  private readonly idle: Runner[] = [];
  private readonly runners = new Set<Runner>();

  constructor(private readonly spec: RunnerSpec, readonly kind: IsolationKind, readonly killAfter: number) {}

  private spawn(): Runner {
    const runner = new Runner(this.kind, this.spec, (gone) => {
      this.runners.delete(gone);
      const at = this.idle.indexOf(gone);
      if (at >= 0) this.idle.splice(at, 1);
    });
    this.runners.add(runner);
    return runner;
  }

  /** Starts a runner and waits for its module to load, so a broken module is reported at start. */
  async ready(): Promise<void> {
    const runner = this.spawn();
    await runner.ready;
    this.idle.push(runner);
  }

  async handle(ctx: JobContext, job: Job): Promise<JobResult> {
    const runner = this.idle.pop() ?? this.spawn();
    await runner.ready;
    let killTimer: NodeJS.Timeout | undefined;
    let killed: ((error: HandlerKilledError) => void) | undefined;
    const onAbort = () => {
      const reason: unknown = ctx.signal.reason;
      const kind = reason instanceof JobAbortedError ? reason.kind : 'aborted';
      const why = reason instanceof Error ? reason.message : String(reason);
      runner.abort(kind, why);
      const watched = kind === 'cancelled' || kind === 'timeout';
      if (watched) noteHandlerStop(ctx, 'stopping');
      ctx.logger.warn({ killAfter: this.killAfter }, `handler stopping (${why}): its ${this.kind} is killed if it has not returned in ${this.killAfter} ms`);
      killTimer = cappedTimeout(() => {
        // Settled first: killing also ends the run, and this is the reason that counts.
        killed?.(new HandlerKilledError(`handler killed ${this.killAfter} ms after its signal aborted`));
        runner.kill();
        if (watched) noteHandlerStop(ctx, 'killed');
        ctx.logger.error(`handler killed: it had not returned ${this.killAfter} ms after its signal aborted (${why}); a fresh ${this.kind} takes its place`);
        this.idle.push(this.spawn());
      }, this.killAfter);
    };
    if (ctx.signal.aborted) onAbort();
    else ctx.signal.addEventListener('abort', onAbort, { once: true });
    try {
      const run = runner.run(job, { progress: (value) => ctx.progress(value), log: (line) => relayLog(ctx, line) });
      const settled = await Promise.race([run, new Promise<never>((_resolve, reject) => (killed = reject))]);
      this.idle.push(runner);
      return outcomeOf(settled);
    } finally {
      clearTimeout(killTimer);
      ctx.signal.removeEventListener('abort', onAbort);
    }
  }

  /** Terminates every runner (a worker's stop); new jobs start fresh ones. */
  close(): void {
    for (const runner of this.runners) runner.kill();
    this.idle.length = 0;
  }
}
