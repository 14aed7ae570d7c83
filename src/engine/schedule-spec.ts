/**
 * What a schedule is: its timing (a cron expression with an optional time zone, or a fixed
 * interval), the job it adds, and when it runs next. Cron parsing and next-time computation are
 * croner's (seconds, time zones, and the daylight-saving rules of the Open Cron Pattern
 * Specification); nothing here knows Redis.
 */
import { Cron } from 'croner';
import { z } from 'zod';
import { checkDuration, encodeNewJob, type EncodedJob } from './codec.js';
import { ValidationError } from './errors.js';
import { checkedWhereUsed, checkOptions, optionsSchema } from './options.js';

/** When a schedule runs: a cron expression (5 fields, or 6 with seconds first) in `tz`, or every `every` ms. */
export type ScheduleTiming = { cron: string; tz?: string } | { every: number };

/** The job a schedule adds at each run. */
export interface ScheduledJob {
  type: string;
  payload?: Record<string, unknown>;
  priority?: number;
  maxAttempts?: number;
  timeout?: number;
}

/** Where a schedule was defined: in code (`q.schedule`) or by the `[schedules]` of flexq.toml. */
export type ScheduleSource = 'code' | 'config';

/** A schedule as stored: its definition, one JSON string whose equality means "unchanged". */
export interface ScheduleDefinition {
  name: string;
  cron?: string;
  every?: number;
  tz?: string;
  job: { type: string; payload: Record<string, unknown>; priority: number; maxAttempts?: number; timeout?: number };
  source: ScheduleSource;
}

/** A schedule as `listSchedules` returns it. */
export interface ScheduleInfo {
  name: string;
  cron?: string;
  every?: number;
  tz?: string;
  job: ScheduleDefinition['job'];
  source: ScheduleSource;
  /** The next run; for a paused schedule, the one it would have if resumed now. */
  nextRunAt: Date;
  lastRunAt?: Date;
  /** The job its last run added. */
  lastJobId?: string;
  paused: boolean;
}

// The keys of `schedule`'s timing and job, checked once both are known to be objects; their values
// are checked below (timing) and as a push checks a job, with messages of their own.
const scheduleOptions = z.object({
  timing: optionsSchema({ cron: checkedWhereUsed, tz: checkedWhereUsed, every: checkedWhereUsed }),
  job: optionsSchema({
    type: checkedWhereUsed, payload: checkedWhereUsed, priority: checkedWhereUsed, maxAttempts: checkedWhereUsed, timeout: checkedWhereUsed,
  } satisfies Record<keyof ScheduledJob, z.ZodType>),
});

/** The shortest `every`: a schedule is for recurring work, not a loop. */
const MIN_EVERY_MS = 1_000;

/** What a schedule's name may be. */
export const SCHEDULE_NAME_PATTERN = /^[A-Za-z0-9_.:-]{1,100}$/;

/** Checks a schedule's name: letters, digits, `_`, `.`, `:` and `-`, 1 to 100 of them. */
export function checkScheduleName(operation: string, name: unknown): string {
  if (typeof name !== 'string' || !SCHEDULE_NAME_PATTERN.test(name)) {
    throw new ValidationError(operation, `schedule name must be 1 to 100 letters, digits, "_", ".", ":" or "-", got ${JSON.stringify(name)}`);
  }
  return name;
}

/** Whether this Node knows the time zone: an IANA name such as "Europe/Berlin", or "UTC". */
export function isKnownTimeZone(tz: string): boolean {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: tz });
    return true;
  } catch {
    return false;
  }
}

/** The refusal of a time zone Node does not know, in one line (croner's nests three messages). */
export function unknownTimeZoneMessage(tz: string): string {
  return `unknown time zone ${JSON.stringify(tz)}; expected an IANA name such as "Europe/Berlin" or "UTC"`;
}

function cronOf(operation: string, pattern: string, tz: string | undefined): Cron {
  // croner's own count message offers seven parts, which this mode refuses: say what is taken.
  const fields = pattern.trim().split(/\s+/).length;
  if (fields !== 5 && fields !== 6) {
    throw new ValidationError(operation, `invalid cron ${JSON.stringify(pattern)}: expected 5 fields (minute hour day month weekday), or 6 with seconds first; got ${fields}`);
  }
  try {
    // `mode`: 5 fields (minutes) or 6 (seconds first); a 7th (years) is not cron as users know it.
    const cron = new Cron(pattern, { timezone: tz, mode: '5-or-6-parts' });
    cron.nextRun(); // an unknown time zone only shows when a time is computed
    return cron;
  } catch (err) {
    const what = tz === undefined ? JSON.stringify(pattern) : `${JSON.stringify(pattern)} in time zone ${JSON.stringify(tz)}`;
    throw new ValidationError(operation, `invalid cron ${what}: ${(err as Error).message}`);
  }
}

function isObject(value: unknown): value is object {
  return typeof value === 'object' && value !== null;
}

function checkTiming(operation: string, timing: unknown): Pick<ScheduleDefinition, 'cron' | 'every' | 'tz'> {
  if (!isObject(timing)) throw new ValidationError(operation, 'timing must be { cron, tz? } or { every }');
  const { cron, every, tz } = timing as { cron?: unknown; every?: unknown; tz?: unknown };
  if ((cron === undefined) === (every === undefined)) throw new ValidationError(operation, 'timing needs exactly one of cron and every');
  if (every !== undefined) {
    if (tz !== undefined) throw new ValidationError(operation, 'tz applies to cron only, not to every');
    const ms = checkDuration(operation, 'every', every);
    if (ms < MIN_EVERY_MS || ms > 365 * 24 * 3_600_000) throw new ValidationError(operation, `every must be from ${MIN_EVERY_MS} ms to 365 days, got ${ms}`);
    return { every: ms };
  }
  if (typeof cron !== 'string' || cron.trim() === '') throw new ValidationError(operation, `cron must be a non-empty string, got ${JSON.stringify(cron)}`);
  if (tz !== undefined && (typeof tz !== 'string' || tz === '')) throw new ValidationError(operation, `tz must be an IANA time zone name, got ${JSON.stringify(tz)}`);
  if (tz !== undefined && !isKnownTimeZone(tz)) throw new ValidationError(operation, unknownTimeZoneMessage(tz));
  cronOf(operation, cron, tz);
  return tz === undefined ? { cron } : { cron, tz };
}

/**
 * Checks a schedule and builds its stored definition, keys in a fixed order so that the same
 * schedule always gives the same JSON. The job is checked as a push would check it.
 */
export function scheduleDefinition(
  operation: string, name: unknown, timing: unknown, job: unknown, source: ScheduleSource, maxPayloadBytes: number,
): ScheduleDefinition {
  const checkedName = checkScheduleName(operation, name);
  // Keys before values: a misspelled `evry` is named, not reported as a missing `every`.
  if (isObject(timing) && isObject(job)) checkOptions(operation, scheduleOptions, { timing, job });
  const when = checkTiming(operation, timing);
  const encoded = encodeNewJob(operation, 'check', job as ScheduledJob, 0, 1, maxPayloadBytes);
  const given = job as ScheduledJob;
  const stored: ScheduleDefinition['job'] = { type: encoded.type, payload: JSON.parse(encoded.payloadJson) as Record<string, unknown>, priority: encoded.priority };
  if (given.maxAttempts !== undefined) stored.maxAttempts = encoded.maxAttempts;
  if (given.timeout !== undefined) stored.timeout = encoded.timeout;
  return { name: checkedName, ...when, job: stored, source };
}

/** The stored JSON of a definition. */
export function definitionJson(definition: ScheduleDefinition): string {
  const { name, cron, tz, every, job, source } = definition;
  return JSON.stringify({ name, cron, tz, every, job, source });
}

/** A stored definition, or null for one this flexq cannot read. */
export function parseDefinition(json: string): ScheduleDefinition | null {
  try {
    const parsed = JSON.parse(json) as ScheduleDefinition;
    return typeof parsed?.name === 'string' && typeof parsed.job?.type === 'string' ? parsed : null;
  } catch {
    return null;
  }
}

/**
 * The first run strictly after `afterMs`. An interval keeps its phase from `anchorMs` (the tick it
 * follows), so ticks stay evenly spaced however late one of them fired; missed ticks are skipped,
 * not queued up.
 */
export function nextRunAfter(definition: Pick<ScheduleDefinition, 'cron' | 'tz' | 'every'>, afterMs: number, anchorMs = afterMs): number {
  if (definition.every !== undefined) {
    const every = definition.every;
    const steps = afterMs < anchorMs ? 1 : Math.floor((afterMs - anchorMs) / every) + 1;
    return anchorMs + steps * every;
  }
  const next = cronOf('schedule', definition.cron!, definition.tz).nextRun(new Date(afterMs));
  // A pattern that never matches again (say, 30 February) has no next run: park it far ahead.
  return next ? next.getTime() : afterMs + 365 * 24 * 3_600_000;
}

/** The job a run adds, encoded as a push encodes one. */
export function scheduledJob(id: string, definition: ScheduleDefinition, defaultMaxAttempts: number, maxPayloadBytes: number): EncodedJob {
  // Only what a schedule's job may say: a key a newer flexq stored stays out, so the schedule fires.
  const { type, payload, priority, maxAttempts, timeout } = definition.job;
  return encodeNewJob('schedule', id, { type, payload, priority, maxAttempts, timeout }, 0, defaultMaxAttempts, maxPayloadBytes);
}
