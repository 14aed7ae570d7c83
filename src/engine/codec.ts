/**
 * Turns jobs into the fields of their Redis hash and back, and checks what users hand in before
 * anything is stored. Field names are short on purpose: a waiting job's hash is most of its memory.
 */
import { DEFAULTS } from './defaults.js';
import { ValidationError } from './errors.js';
import { JOB_STATUSES, type FailedAttempt, type Job, type JobStatus } from './types.js';

/** The hash fields of a job, as the Lua scripts name them. */
const FIELD = {
  type: 't', payload: 'd', status: 's', attempts: 'a', maxAttempts: 'm', priority: 'p', delay: 'w',
  timeout: 'o', createdAt: 'c' /* µs */, enteredAt: 'e' /* µs */, runAt: 'r', processedAt: 'pa', failedAt: 'fa',
  error: 'x', result: 'res', progress: 'g', lease: 'l', history: 'h',
} as const;

/** A job as validated for `addJobs`: every value already in its stored form. */
export interface EncodedJob {
  id: string;
  type: string;
  payloadJson: string;
  maxAttempts: number;
  priority: number;
  delay: number;
  timeout: number;
}

/** Serialises any JSON value, rejecting what a JSON round trip would lose or mangle. */
export function toJson(operation: string, what: string, value: unknown): string {
  try {
    return JSON.stringify(value, function checkJsonSafe(key: string, v: unknown) {
      const name = key === '' ? what : `${what} property "${key}"`;
      switch (typeof v) {
        case 'function':
        case 'symbol':
        case 'bigint':
          throw new ValidationError(operation, `${name} is a ${typeof v}, which JSON cannot carry`);
        case 'number':
          if (!Number.isFinite(v)) throw new ValidationError(operation, `${name} is ${v}, which JSON cannot carry`);
          break;
        case 'object':
          if (v instanceof Map || v instanceof Set) {
            throw new ValidationError(operation, `${name} is a ${v.constructor.name}, which JSON turns into {}`);
          }
      }
      return v;
    }) ?? 'null';
  } catch (err) {
    if (err instanceof ValidationError) throw err;
    // JSON.stringify throws a TypeError for circular structures.
    throw new ValidationError(operation, `${what} cannot be serialised to JSON: ${(err as Error).message}`);
  }
}

function checkInteger(operation: string, name: string, value: unknown, min: number, max: number): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max) {
    throw new ValidationError(operation, `${name} must be an integer from ${min} to ${max}, got ${describe(value)}`);
  }
  return value;
}

/** Checks a duration in ms (non-negative, finite) and rounds it up to a whole millisecond. */
export function checkDuration(operation: string, name: string, value: unknown): number {
  if (typeof value !== 'number' || !Number.isFinite(value) || value < 0) {
    throw new ValidationError(operation, `${name} must be a non-negative number of milliseconds, got ${describe(value)}`);
  }
  return Math.ceil(value);
}

/** Checks a priority: an integer in the supported range. */
export function checkPriority(operation: string, value: unknown): number {
  return checkInteger(operation, 'priority', value, DEFAULTS.minPriority, DEFAULTS.maxPriority);
}

/** Checks a job id argument's form (existence is the script's business). */
export function checkJobId(operation: string, id: unknown): string {
  if (typeof id !== 'string' || id.length === 0 || id.length > 200 || /[\s,]/.test(id)) {
    throw new ValidationError(operation, `job id must be a non-empty string without spaces or commas, got ${describe(id)}`);
  }
  return id;
}

/** Checks a queue name: it lands inside a `{…}` hash tag, so braces and colons are out. */
export function checkQueueName(operation: string, name: unknown): string {
  if (typeof name !== 'string' || !/^[A-Za-z0-9_.\-]{1,100}$/.test(name)) {
    throw new ValidationError(operation, `queue name must be 1-100 letters, digits, "_", "." or "-", got ${describe(name)}`);
  }
  return name;
}

function describe(value: unknown): string {
  if (typeof value === 'string') return JSON.stringify(value);
  if (typeof value === 'bigint') return `${value}n`;
  return String(value);
}

/** Validates a new job and puts it in stored form; throws `ValidationError` naming the bad field. */
export function encodeNewJob(
  operation: string,
  id: string,
  job: { type?: unknown; payload?: unknown; maxAttempts?: unknown; priority?: unknown; timeout?: unknown },
  delay: unknown,
  defaultMaxAttempts: number,
): EncodedJob {
  if (typeof job !== 'object' || job === null) throw new ValidationError(operation, 'job must be an object');
  const { type, payload } = job;
  if (typeof type !== 'string' || type.trim() === '' || type.length > 200) {
    throw new ValidationError(operation, `job type must be a non-empty string of at most 200 characters, got ${describe(type)}`);
  }
  if (payload !== undefined && (typeof payload !== 'object' || payload === null || Array.isArray(payload))) {
    throw new ValidationError(operation, `payload must be a plain object, got ${Array.isArray(payload) ? 'an array' : describe(payload)}`);
  }
  return {
    id,
    type,
    payloadJson: toJson(operation, 'payload', payload ?? {}),
    maxAttempts: job.maxAttempts === undefined ? defaultMaxAttempts : checkInteger(operation, 'maxAttempts', job.maxAttempts, 1, 1_000_000),
    priority: job.priority === undefined ? 0 : checkPriority(operation, job.priority),
    delay: checkDuration(operation, 'delay', delay ?? 0),
    timeout: job.timeout === undefined ? 0 : checkInteger(operation, 'timeout', job.timeout, 1, 2_147_483_647),
  };
}

/** The ARGV values `addJobs.lua` takes for one job, in its order. */
export function addJobArgs(job: EncodedJob): (string | number)[] {
  return [job.id, job.type, job.payloadJson, job.maxAttempts, job.priority, job.delay, job.timeout];
}

/** Turns a flat HGETALL reply into a field map. */
export function fieldMap(flat: readonly string[]): Map<string, string> {
  const fields = new Map<string, string>();
  for (let i = 0; i + 1 < flat.length; i += 2) fields.set(flat[i]!, flat[i + 1]!);
  return fields;
}

function parseJson(text: string | undefined): unknown {
  if (text === undefined) return undefined;
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

function dateOf(ms: string | undefined): Date | undefined {
  return ms === undefined ? undefined : new Date(Number(ms));
}

/** Decodes a stored job hash; `null` when the hash is empty (no such job). */
export function decodeJob(queue: string, id: string, fields: Map<string, string>): Job | null {
  const status = fields.get(FIELD.status) as JobStatus | undefined;
  if (status === undefined || !JOB_STATUSES.includes(status)) return null;
  const createdAt = new Date(Math.floor(Number(fields.get(FIELD.createdAt) ?? 0) / 1000));
  const enteredUs = fields.get(FIELD.enteredAt);
  const job: Job = {
    id,
    queue,
    type: fields.get(FIELD.type) ?? '',
    payload: (parseJson(fields.get(FIELD.payload)) ?? {}) as Record<string, unknown>,
    status,
    attempts: Number(fields.get(FIELD.attempts) ?? 0),
    maxAttempts: Number(fields.get(FIELD.maxAttempts) ?? 1),
    priority: Number(fields.get(FIELD.priority) ?? 0),
    delay: Number(fields.get(FIELD.delay) ?? 0),
    createdAt,
    enteredAt: enteredUs === undefined ? createdAt : new Date(Math.floor(Number(enteredUs) / 1000)),
  };
  const timeout = fields.get(FIELD.timeout);
  if (timeout !== undefined) job.timeout = Number(timeout);
  const runAt = dateOf(fields.get(FIELD.runAt));
  if (runAt) job.runAt = runAt;
  const processedAt = dateOf(fields.get(FIELD.processedAt));
  if (processedAt) job.processedAt = processedAt;
  const failedAt = dateOf(fields.get(FIELD.failedAt));
  if (failedAt) job.failedAt = failedAt;
  const error = fields.get(FIELD.error);
  if (error !== undefined) job.error = error;
  if (fields.has(FIELD.result)) job.result = parseJson(fields.get(FIELD.result));
  if (fields.has(FIELD.progress)) job.progress = parseJson(fields.get(FIELD.progress));
  const history = parseJson(fields.get(FIELD.history));
  if (Array.isArray(history)) {
    job.history = (history as { a: number; o: FailedAttempt['outcome']; x: string; t: number }[])
      .map(({ a, o, x, t }) => ({ attempt: a, outcome: o, error: x, at: new Date(t) }));
  }
  return job;
}

/** The lease token a claimed job carries. */
export function leaseOf(fields: Map<string, string>): string {
  return fields.get(FIELD.lease) ?? '';
}
