import { performance } from 'node:perf_hooks';
import { PermanentError } from '../engine/handler.js';
import { JobAbortedError } from '../engine/attempt.js';
import type { Handler, Job, JobContext, JobResult } from '../engine/types.js';

/** How one handler run ended, as the metrics count it. */
export type RunOutcome = 'completed' | 'retrying' | 'failed' | 'cancelled' | 'handed_back' | 'lease_lost';

/** Receives one finished handler run. */
export type RunObserver = (job: Job, outcome: RunOutcome, seconds: number) => void;

function failureOutcome(job: Job, retryable: boolean): RunOutcome {
  return retryable && job.attempts < job.maxAttempts ? 'retrying' : 'failed';
}

/** The outcome the engine will record for this run, judged the way the worker judges it. */
function outcomeOf(job: Job, ctx: JobContext, result: JobResult | undefined, thrown: unknown): RunOutcome {
  const reason: unknown = ctx.signal.aborted ? ctx.signal.reason : undefined;
  if (reason instanceof JobAbortedError) {
    if (reason.kind === 'cancelled') return 'cancelled';
    if (reason.kind === 'shutdown') return 'handed_back';
    if (reason.kind === 'lease-lost') return 'lease_lost';
    return failureOutcome(job, true);
  }
  if (thrown !== undefined) return failureOutcome(job, !(thrown instanceof PermanentError));
  if (typeof result !== 'object' || result === null || typeof result.success !== 'boolean') return failureOutcome(job, true);
  return result.success ? 'completed' : failureOutcome(job, result.retry !== false);
}

/**
 * Wraps a handler so every run is reported to `observe` with its outcome and duration. Chosen over
 * following `queue.readEvents` because it sees exactly this host's runs, with their real duration,
 * and costs no Redis reads.
 */
export function observedHandler(handler: Handler, observe: RunObserver): Handler {
  return {
    async handle(ctx, job) {
      const started = performance.now();
      let result: JobResult | undefined;
      let thrown: unknown;
      try {
        result = await handler.handle(ctx, job);
        return result;
      } catch (error) {
        thrown = error ?? new Error('handler threw');
        throw error;
      } finally {
        observe(job, outcomeOf(job, ctx, result, thrown), (performance.now() - started) / 1000);
      }
    },
  };
}
