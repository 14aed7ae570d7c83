/** Checking a rate limit and a fair groups' cap before they are stored (enforced in `lua/includes/ratelimit.lua` and `turns.lua`). */
import { ValidationError } from './errors.js';
import { checkKnownKeys } from './known-keys.js';
import type { RateLimit, RateLimitStatus } from './types.js';

const RATE_LIMIT_KEYS: ReadonlySet<string> = new Set(['max', 'per'] satisfies (keyof RateLimit)[]);

/** Most jobs a limit may let start per window: the window keeps one entry per start. */
export const MAX_RATE_LIMIT = 1_000_000;
/** Longest window: a year. */
const MAX_RATE_WINDOW_MS = 365 * 24 * 3_600_000;

/**
 * Checks `{ max, per }` (or null, no limit) for a queue of `shards` shards; throws a ValidationError
 * naming the problem.
 */
export function checkRateLimit(operation: string, limit: unknown, shards = 1): RateLimit | null {
  if (limit === null) return null;
  if (typeof limit !== 'object' || limit === undefined || Array.isArray(limit)) {
    throw new ValidationError(operation, 'the limit must be { max, per } or null');
  }
  checkKnownKeys(operation, limit, RATE_LIMIT_KEYS);
  const { max, per } = limit as Record<string, unknown>;
  if (typeof max !== 'number' || !Number.isInteger(max) || max < 1 || max > MAX_RATE_LIMIT) {
    throw new ValidationError(operation, `max must be an integer from 1 to ${MAX_RATE_LIMIT}, got ${String(max)}`);
  }
  if (max < shards) {
    throw new ValidationError(operation, `max must be at least the queue's ${shards} shards (each shard takes a share of it), got ${max}`);
  }
  if (typeof per !== 'number' || !Number.isInteger(per) || per < 1 || per > MAX_RATE_WINDOW_MS) {
    throw new ValidationError(operation, `per must be a whole number of milliseconds from 1 to ${MAX_RATE_WINDOW_MS}, got ${String(per)}`);
  }
  return { max, per };
}

/**
 * Each shard's share of a queue's `max` (0: no limit): a claim runs on one shard's keys, so each
 * shard keeps its own window; shares that add up to `max` keep the queue within it, whichever
 * workers start its jobs. The first `max % shards` shards take one more.
 */
export function rateLimitShares(max: number, shards: number): number[] {
  return Array.from({ length: shards }, (_, i) => Math.floor(max / shards) + (i < max % shards ? 1 : 0));
}

/**
 * A queue's limit from its shards' own: shares and starts summed, and another job may start when
 * one may on any shard. Null when no shard has a limit.
 */
export function mergeRateLimits(shards: readonly (RateLimitStatus | null)[]): RateLimitStatus | null {
  const limited = shards.filter((shard): shard is RateLimitStatus => shard !== null);
  if (limited.length === 0) return null;
  if (shards.length === 1) return limited[0]!;
  return {
    max: limited.reduce((sum, shard) => sum + shard.max, 0),
    per: limited[0]!.per,
    started: limited.reduce((sum, shard) => sum + shard.started, 0),
    // A shard without a limit (a setRateLimit that reached only some) lets jobs start at once.
    opensIn: limited.length < shards.length ? 0 : Math.min(...limited.map((shard) => shard.opensIn)),
  };
}

/** Largest per-group cap: as large as a rate limit's max. */
export const MAX_GROUP_CONCURRENCY = MAX_RATE_LIMIT;

/** Checks a fair groups' cap (an integer of at least 1, or null for none); throws a ValidationError naming the problem. */
export function checkGroupConcurrency(operation: string, limit: unknown): number | null {
  if (limit === null) return null;
  if (typeof limit !== 'number' || !Number.isInteger(limit) || limit < 1 || limit > MAX_GROUP_CONCURRENCY) {
    throw new ValidationError(operation, `group concurrency must be an integer from 1 to ${MAX_GROUP_CONCURRENCY} or null, got ${typeof limit === 'string' ? JSON.stringify(limit) : String(limit)}`);
  }
  return limit;
}
