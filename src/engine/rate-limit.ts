/** Checking a rate limit before it is stored (the limit itself is enforced in `lua/includes/ratelimit.lua`). */
import { ValidationError } from './errors.js';
import type { RateLimit } from './types.js';

/** Most jobs a limit may let start per window: the window keeps one entry per start. */
export const MAX_RATE_LIMIT = 1_000_000;
/** Longest window: a year. */
export const MAX_RATE_WINDOW_MS = 365 * 24 * 3_600_000;

/** Checks `{ max, per }` (or null, no limit); throws a ValidationError naming the problem. */
export function checkRateLimit(operation: string, limit: unknown): RateLimit | null {
  if (limit === null) return null;
  if (typeof limit !== 'object' || limit === undefined || Array.isArray(limit)) {
    throw new ValidationError(operation, 'the limit must be { max, per } or null');
  }
  const { max, per } = limit as Record<string, unknown>;
  if (typeof max !== 'number' || !Number.isInteger(max) || max < 1 || max > MAX_RATE_LIMIT) {
    throw new ValidationError(operation, `max must be an integer from 1 to ${MAX_RATE_LIMIT}, got ${String(max)}`);
  }
  if (typeof per !== 'number' || !Number.isInteger(per) || per < 1 || per > MAX_RATE_WINDOW_MS) {
    throw new ValidationError(operation, `per must be a whole number of milliseconds from 1 to ${MAX_RATE_WINDOW_MS}, got ${String(per)}`);
  }
  return { max, per };
}
