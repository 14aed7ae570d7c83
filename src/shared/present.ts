/**
 * The one step between stored data and anything flexq shows: the CLI (`jobs`, `show`, plain and
 * `--json`), the console (lists, detail, search), the logs and error messages. Masking in one place
 * means a new output cannot forget a field, and what the console searches is what it shows.
 *
 * Presenting masks secrets; making text safe for a terminal is the renderer's part (`sanitize` for
 * drawn text, `terminalSafeJson` for JSON), because JSON keeps a control character as an escape
 * where a table drops it.
 */
import type { FailedAttempt, Job } from '../engine/types.js';
import { isRedisUnreachable, unreachableReason } from '../engine/errors.js';
import { REDACTED, redactValue } from './redact.js';
import { maskSecretsInText } from './secret-text.js';

/** As `redact.ts`: deeper values were already replaced, so the string walk never goes further. */
const MAX_DEPTH = 101;

// Copies only what changes, so a value with nothing to mask is returned as is. Keys are masked as
// well: a producer may key a map by token.
function maskStrings(value: unknown, names: readonly string[], depth: number): unknown {
  if (typeof value === 'string') return maskSecretsInText(value, names);
  if (typeof value !== 'object' || value === null) return value;
  if (depth >= MAX_DEPTH) return REDACTED;
  if (Array.isArray(value)) {
    const items = value.map((item) => maskStrings(item, names, depth + 1));
    return items.some((item, index) => item !== value[index]) ? items : value;
  }
  if (value instanceof Date) return value;
  let changed = false;
  // Object.fromEntries defines properties, so a `__proto__` key stays a plain key and never
  // becomes the copy's prototype.
  const entries = Object.entries(value).map(([key, item]): [string, unknown] => {
    const shownKey = maskSecretsInText(key, names);
    const shown = maskStrings(item, names, depth + 1);
    changed ||= shown !== item || shownKey !== key;
    return [shownKey, shown];
  });
  return changed ? Object.fromEntries(entries) : value;
}

/**
 * Any JSON-like value as flexq may show it: secret keys masked at any depth (`redactValue`, with
 * the configured `redact` paths), then secrets inside every string masked (`maskSecretsInText`:
 * bearer tokens, `password=…`, URL credentials and query values). The input is never changed.
 */
export function presentValue(value: unknown, redactPaths: readonly string[] = []): unknown {
  return maskStrings(redactValue(value, redactPaths), singleNames(redactPaths), 0);
}

/**
 * Free text (an error message, a log message, a job type) as flexq may show it; the single-word
 * entries of `redactPaths` are masked in `name=…` and `"name": "…"` pairs too.
 */
export function presentText(text: string, redactPaths: readonly string[] = []): string {
  return maskSecretsInText(text, singleNames(redactPaths));
}

/** The entries of `redact` that name a key at any depth (`cvv`), not a path from the root. */
function singleNames(redactPaths: readonly string[]): string[] {
  return redactPaths.filter((path) => path !== '*' && !path.includes('.'));
}

function presentAttempt(attempt: FailedAttempt, redactPaths: readonly string[]): FailedAttempt {
  return { ...attempt, error: presentText(attempt.error, redactPaths) };
}

/**
 * A job as every output shows it: payload, result and progress through `presentValue`, type,
 * error and each failed attempt's error through `presentText`. Ids, counts and dates are flexq's
 * own and stay as they are.
 */
export function presentJob(job: Job, redactPaths: readonly string[] = []): Job {
  const shown: Job = {
    ...job,
    type: presentText(job.type, redactPaths),
    payload: presentValue(job.payload, redactPaths) as Record<string, unknown>,
  };
  if (job.result !== undefined) shown.result = presentValue(job.result, redactPaths);
  if (job.progress !== undefined) shown.progress = presentValue(job.progress, redactPaths);
  if (job.error !== undefined) shown.error = presentText(job.error, redactPaths);
  if (job.history !== undefined) shown.history = job.history.map((attempt) => presentAttempt(attempt, redactPaths));
  return shown;
}

/** An error as a one-message text fit to show: its message with secrets masked; a lost connection as why, in a user's words. */
export function presentError(error: unknown): string {
  if (isRedisUnreachable(error)) return `Redis is not answering (${presentText(unreachableReason(error as Error))})`;
  return presentText(error instanceof Error ? error.message : String(error));
}

/** A schedule as every output shows it: its job's type and payload as a job's are shown. */
export function presentSchedule<Schedule extends { job: { type: string; payload: Record<string, unknown> } }>(
  schedule: Schedule, redactPaths: readonly string[] = [],
): Schedule {
  const { job } = schedule;
  return { ...schedule, job: { ...job, type: presentText(job.type, redactPaths), payload: presentValue(job.payload, redactPaths) as Record<string, unknown> } };
}
