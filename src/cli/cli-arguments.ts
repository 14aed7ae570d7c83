import { InvalidArgumentError } from 'commander';
import { DEFAULTS } from '../engine/defaults.js';
import { GROUP_PATTERN, GROUP_RULE } from '../engine/codec.js';
import type { ListableStatus } from '../engine/queue.js';
import { JOB_STATUSES } from '../engine/types.js';
import { NAME_PATTERN } from './names.js';
import type { PayloadSource } from './cli-commands.js';
import { payloadObject } from './payload-source.js';
import { CliUsageError } from './cli-errors.js';
import { redisUrlProblem } from '../shared/redis-url.js';
import { DURATION_HINT, parseDuration } from '../shared/duration.js';
import { DEMO_INTERVAL_RANGE, describeRange, LIMITS, SCHEDULE_RANGE, TIMER_OR_ZERO_RANGE, type DurationRange } from '../config/limits.js';

// Parsers for commander: each throws InvalidArgumentError, which commander turns into a message
// naming the option or argument ("option '--priority <n>' argument 'x' is invalid. …").

/** An integer in the engine's priority range. */
export function parsePriority(value: string): number {
  const priority = parseInteger(value);
  if (priority < DEFAULTS.minPriority || priority > DEFAULTS.maxPriority) {
    throw new InvalidArgumentError(`expected an integer from ${DEFAULTS.minPriority} to ${DEFAULTS.maxPriority}`);
  }
  return priority;
}

/** An integer of at least 1. */
export function parsePositiveInteger(value: string): number {
  const number = parseInteger(value);
  if (number < 1) throw new InvalidArgumentError('expected an integer of at least 1');
  return number;
}

/** An integer from 1 to `max`. */
function integerUpTo(max: number): (value: string) => number {
  return (value) => {
    const number = parseInteger(value);
    if (number < 1 || number > max) throw new InvalidArgumentError(`expected an integer from 1 to ${max}`);
    return number;
  };
}

/** How many jobs `flexq jobs` lists: 1 to the engine's page limit. */
export const parseListLimit = integerUpTo(LIMITS.maxListLimit);

/** A duration such as "30s" within `range`; plain digits are milliseconds. */
function durationIn(range: DurationRange): (value: string) => number {
  return (value) => {
    let ms: number;
    try {
      ms = parseDuration(value);
    } catch {
      throw new InvalidArgumentError(`expected a duration: ${DURATION_HINT}`);
    }
    if (ms < range.min || ms > range.max) throw new InvalidArgumentError(`expected ${describeRange(range)}`);
    return ms;
  };
}

/** `--delay`: a due time stored in Redis, so up to a year. */
export const parseDelay = durationIn(SCHEDULE_RANGE);

/** `--unique-for`: how long a unique key stays taken, from 1 ms to a year. */
export const parseUniqueFor = durationIn({ ...SCHEDULE_RANGE, min: 1 });

/** `--unique-key`: any text of 1 to 500 characters, as the engine takes it. */
export function parseUniqueKey(value: string): string {
  if (value.length === 0 || value.length > 500) throw new InvalidArgumentError('expected 1 to 500 characters');
  return value;
}

/** `--interval` of `flexq demo`: a timer, so at most 2^31−1 ms, and at least 10 ms (see LIMITS). */
export const parseInterval = durationIn(DEMO_INTERVAL_RANGE);

/** `--older-than` of `flexq clean`: compared with finish times stored in Redis, so up to a year. */
export const parseOlderThan = durationIn(SCHEDULE_RANGE);

/** `--timeout` of `flexq drain`: a timer. */
export const parseDrainTimeout = durationIn(TIMER_OR_ZERO_RANGE);

/** One of `allowed`, or an error listing them. */
function oneOf<T extends string>(allowed: readonly T[]): (value: string) => T {
  return (value) => {
    const found = allowed.find((candidate) => candidate === value);
    if (found === undefined) throw new InvalidArgumentError(`expected one of: ${allowed.join(', ')}`);
    return found;
  };
}

/** `flexq retry --all`: the statuses a job can be retried from. */
export const parseRetryableStatus = oneOf(['failed', 'cancelled'] as const);

/** `flexq cancel --all`: the waiting statuses. */
export const parseWaitingStatus = oneOf(['pending', 'delayed', 'retrying'] as const);

/** `flexq clean`: the finished statuses. */
export const parseFinishedStatus = oneOf(['completed', 'failed', 'cancelled'] as const);

/**
 * `--redis`: a redis:// or rediss:// URL. Refused as a usage error that does not repeat the value
 * (commander's own message for an invalid argument quotes it, and it may hold a password).
 */
export function parseRedisUrl(value: string): string {
  const problem = redisUrlProblem(value);
  if (problem !== undefined) throw new CliUsageError(`option '--redis <url>': ${problem} (the value is not repeated: it may hold a password)`);
  return value;
}

/** PAYLOAD_JSON of `flexq dispatch`: `-` reads stdin, `@FILE` a file (both when run), else the JSON object itself. */
export function parsePayloadArgument(value: string): PayloadSource {
  if (value === '-') return { from: 'stdin' };
  if (value.startsWith('@')) {
    if (value.length === 1) throw new InvalidArgumentError('expected a file name after @, e.g. @payload.json');
    return { from: 'file', path: value.slice(1) };
  }
  try {
    return { from: 'argument', payload: payloadObject(value) };
  } catch (error) {
    throw new InvalidArgumentError((error as Error).message);
  }
}

const LISTABLE: readonly ListableStatus[] = [...JOB_STATUSES, 'delayed'];

/** One of the six job states, or `delayed` (pending jobs that wait for their time). */
export function parseJobStatus(value: string): ListableStatus {
  const status = LISTABLE.find((candidate) => candidate === value);
  if (status === undefined) throw new InvalidArgumentError(`expected one of: ${LISTABLE.join(', ')}`);
  return status;
}

/** A queue name or job type: it ends up in Redis keys. */
export function parseName(value: string): string {
  if (!NAME_PATTERN.test(value)) {
    throw new InvalidArgumentError('expected letters, digits, "_", "." or "-", starting with a letter or digit');
  }
  return value;
}

/** A fair group's name, as the engine takes it. */
export function parseGroup(value: string): string {
  if (!GROUP_PATTERN.test(value)) throw new InvalidArgumentError(`expected ${GROUP_RULE}`);
  return value;
}

function parseInteger(value: string): number {
  if (!/^-?\d+$/.test(value.trim())) throw new InvalidArgumentError('expected an integer');
  const number = Number(value);
  if (!Number.isSafeInteger(number)) throw new InvalidArgumentError('expected a smaller integer');
  return number;
}
