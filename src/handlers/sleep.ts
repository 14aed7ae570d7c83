import type { Handler, Job, JobContext, JobResult } from '../engine/types.js';

/** Options of `sleepJobHandler`, from `[handlers.<type>] options` in flexq.toml. */
export interface SleepHandlerOptions {
  /** How long a job sleeps when its payload gives no `ms`; default 1000. */
  ms?: number;
}

/** `JobResult.data` of a finished sleep. */
export interface SleepResultData {
  sleptMs: number;
}

const DEFAULT_SLEEP_MS = 1_000;
/**
 * The longest sleep: Node's timers hold a signed 32-bit delay, and a longer one (1e12) silently
 * fires after 1 ms instead, so a hostile or mistaken payload would "finish" at once.
 */
export const MAX_SLEEP_MS = 2 ** 31 - 1;
/** Progress updates per job: enough for a smooth bar, few enough not to flood Redis. */
const PROGRESS_STEPS = 10;

/** The reason `value` is not a sleep length, or undefined when it is one. */
function sleepMsProblem(value: unknown, what: string): string | undefined {
  if (typeof value === 'number' && Number.isFinite(value) && value >= 0 && value <= MAX_SLEEP_MS) return undefined;
  // JSON.stringify shows NaN and Infinity as null; String keeps them readable.
  const shown = typeof value === 'number' ? String(value) : JSON.stringify(value);
  return `${what} must be a number of milliseconds from 0 to ${MAX_SLEEP_MS}, got ${shown}`;
}

function sleepMs(value: unknown, what: string): number {
  const problem = sleepMsProblem(value, what);
  if (problem !== undefined) throw new TypeError(problem);
  return value as number;
}

/** Resolves after `ms`, or rejects with the signal's reason once it aborts. */
function wait(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal.aborted) return reject(signal.reason);
    const onAbort = (): void => {
      clearTimeout(timer);
      reject(signal.reason);
    };
    const timer = setTimeout(() => {
      signal.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal.addEventListener('abort', onAbort, { once: true });
  });
}

/**
 * Whether this attempt fails on purpose: `payload.fail` true fails every attempt, a number n
 * fails the first n attempts (so a demo job shows a retry that then succeeds).
 */
function failsThisAttempt(fail: unknown, attempt: number): boolean {
  if (fail === true) return true;
  return typeof fail === 'number' && attempt <= fail;
}

/**
 * The `sleep` built-in: waits `payload.ms ?? options.ms`, reporting progress in percent as it
 * goes, and stops early when `ctx.signal` aborts. It exists so `flexq demo` and a newcomer's first
 * jobs have something visible to do without any outside service.
 */
export function sleepJobHandler(options: SleepHandlerOptions = {}): Handler {
  const defaultMs = sleepMs(options.ms ?? DEFAULT_SLEEP_MS, 'sleep option ms');
  return {
    async handle(ctx: JobContext, job: Job): Promise<JobResult> {
      const payloadMs = job.payload['ms'];
      const problem = payloadMs === undefined ? undefined : sleepMsProblem(payloadMs, 'payload.ms');
      if (problem !== undefined) return { success: false, retry: false, error: problem };
      const total = (payloadMs as number | undefined) ?? defaultMs;
      const step = total / PROGRESS_STEPS;
      for (let done = 1; done <= PROGRESS_STEPS; done++) {
        await wait(step, ctx.signal);
        // Progress is for watching only: a lost update must not fail the job.
        await ctx.progress(Math.round((done / PROGRESS_STEPS) * 100)).catch(() => undefined);
      }
      if (failsThisAttempt(job.payload['fail'], job.attempts)) {
        return { success: false, error: `failed on purpose (payload.fail, attempt ${job.attempts})` };
      }
      const data: SleepResultData = { sleptMs: total };
      return { success: true, data };
    },
  };
}
