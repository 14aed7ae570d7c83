/** The options of `RedisWorker`: unknown keys refused, counts and times checked, defaults filled in. */
import type { Logger } from 'pino';
import { z } from 'zod';
import { DEFAULTS } from './defaults.js';
import { ValidationError } from './errors.js';
import { checkedWhereUsed, checkOptions, optionsSchema } from './options.js';
import { MAX_TIMER_MS } from './timers.js';
import { checkDuration } from './codec.js';
import { checkKnownKeys } from './known-keys.js';
import type { WorkerConfig } from './types.js';

const isLogger = (value: unknown): value is Logger => typeof (value as { child?: unknown } | null)?.child === 'function';

// isolation and killAfter are checked with a module handler's own (isolation/module-handler.ts).
const workerOptions = optionsSchema({
  numWorkers: checkedWhereUsed,
  pollTime: checkedWhereUsed,
  visibilityTimeout: checkedWhereUsed,
  jobTimeout: checkedWhereUsed,
  isolation: checkedWhereUsed,
  killAfter: checkedWhereUsed,
  logger: z.custom<Logger>(isLogger, { error: 'must be a pino logger (with a child() method)' }).optional(),
} satisfies Record<keyof WorkerConfig, z.ZodType>, { concurrency: 'numWorkers', timeout: 'jobTimeout' });

function positiveInteger(name: string, value: number | undefined, fallback: number): number {
  const chosen = value ?? fallback;
  if (!Number.isInteger(chosen) || chosen < 1 || chosen > MAX_TIMER_MS) {
    throw new ValidationError('RedisWorker', `${name} must be an integer from 1 to ${MAX_TIMER_MS}, got ${chosen}`);
  }
  return chosen;
}

/** A worker's counts and times, checked, with the defaults filled in. */
export interface WorkerSettings {
  numWorkers: number;
  pollTime: number;
  visibilityTimeout: number;
  jobTimeout: number | undefined;
}

/** Checks a `RedisWorker`'s options (each key known, each count and time in range) and fills in defaults. */
export function workerSettings(config: WorkerConfig): WorkerSettings {
  checkOptions('RedisWorker', workerOptions, config);
  return {
    numWorkers: positiveInteger('numWorkers', config.numWorkers, DEFAULTS.numWorkers),
    pollTime: positiveInteger('pollTime', config.pollTime, DEFAULTS.pollTime),
    visibilityTimeout: positiveInteger('visibilityTimeout', config.visibilityTimeout, DEFAULTS.visibilityTimeout),
    jobTimeout: config.jobTimeout === undefined ? undefined : positiveInteger('jobTimeout', config.jobTimeout, 0),
  };
}

const STOP_KEYS: ReadonlySet<string> = new Set(['timeout']);

/** `stop()`'s options, checked: a misspelled or bad timeout would wait for running jobs however long. */
export function checkStopOptions(options: unknown): void {
  if (typeof options !== 'object' || options === null || Array.isArray(options)) throw new ValidationError('stop', 'options must be an object such as { timeout: 5000 }');
  checkKnownKeys('stop', options, STOP_KEYS);
  const { timeout } = options as { timeout?: unknown };
  if (timeout !== undefined) checkDuration('stop', 'timeout', timeout);
}
