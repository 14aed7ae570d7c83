/**
 * Checking `uniqueKey` / `uniqueFor` before anything is stored (the rules live in
 * `lua/includes/unique.lua`; what addJobs.lua takes and answers about them, in `unique-wire.ts`).
 */
import { ValidationError } from './errors.js';

/** Longest unique key, in characters: it becomes part of a Redis key name. */
const MAX_UNIQUE_KEY_LENGTH = 500;
/** Longest uniqueFor: a year. */
const MAX_UNIQUE_FOR_MS = 365 * 24 * 3_600_000;

/** A job's unique key and how long it holds it (0: until the job finishes), as stored. */
export interface UniqueSettings {
  uniqueKey?: string;
  uniqueFor?: number;
}

/** Checks `uniqueKey` and `uniqueFor` of a new job; throws a ValidationError naming the problem. */
export function checkUnique(operation: string, job: { uniqueKey?: unknown; uniqueFor?: unknown }): UniqueSettings {
  const { uniqueKey, uniqueFor } = job;
  if (uniqueKey === undefined) {
    if (uniqueFor !== undefined) throw new ValidationError(operation, 'uniqueFor needs a uniqueKey');
    return {};
  }
  if (typeof uniqueKey !== 'string' || uniqueKey.length === 0 || uniqueKey.length > MAX_UNIQUE_KEY_LENGTH) {
    const got = typeof uniqueKey === 'string' ? `${uniqueKey.length} characters` : `a ${uniqueKey === null ? 'null' : typeof uniqueKey}`;
    throw new ValidationError(operation, `uniqueKey must be a string of 1 to ${MAX_UNIQUE_KEY_LENGTH} characters, got ${got}`);
  }
  if (uniqueFor === undefined) return { uniqueKey };
  if (typeof uniqueFor !== 'number' || !Number.isFinite(uniqueFor) || uniqueFor < 1 || uniqueFor > MAX_UNIQUE_FOR_MS) {
    throw new ValidationError(operation, `uniqueFor must be a number of milliseconds from 1 to ${MAX_UNIQUE_FOR_MS}, got ${String(uniqueFor)}`);
  }
  return { uniqueKey, uniqueFor: Math.ceil(uniqueFor) };
}
